// Package ecr emulates Amazon ECR for the local AWS emulator: repositories,
// their settings, policies and tags, and images (manifests and tags) kept in
// an image store that the emulator's OCI registry shares.
package ecr

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/berthhq/berth/internal/awsrules"
	"github.com/berthhq/berth/internal/emulator/awsapi"
	"github.com/berthhq/berth/internal/emulator/kms"
	"github.com/berthhq/berth/internal/emulator/state"
)

// TargetPrefix is ECR's X-Amz-Target prefix.
const TargetPrefix = "AmazonEC2ContainerRegistry_V20150921"

// Page sizes: ECR returns up to 100 results unless maxResults says otherwise.
const (
	defaultPage = 100
	maxPage     = 1000
)

type service struct {
	db     *state.DB
	images *Images
	auth   *Auth
}

// Register adds ECR's operations to the router, creating its tables.
func Register(r *awsapi.Router, db *state.DB) error {
	images, err := NewImages(db)
	if err != nil {
		return err
	}
	auth, err := NewAuth(db)
	if err != nil {
		return err
	}
	s := &service{db: db, images: images, auth: auth}
	r.AddJSON(&awsapi.JSONService{
		TargetPrefix: TargetPrefix,
		MessageKey:   "message",
		Ops: map[string]awsapi.JSONOp{
			"CreateRepository":              awsapi.Op(s.createRepository),
			"DescribeRepositories":          awsapi.Op(s.describeRepositories),
			"DeleteRepository":              awsapi.Op(s.deleteRepository),
			"PutImageTagMutability":         awsapi.Op(s.putImageTagMutability),
			"PutImageScanningConfiguration": awsapi.Op(s.putImageScanningConfiguration),
			"ListImages":                    awsapi.Op(s.listImages),
			"DescribeImages":                awsapi.Op(s.describeImages),
			"BatchGetImage":                 awsapi.Op(s.batchGetImage),
			"PutImage":                      awsapi.Op(s.putImage),
			"BatchDeleteImage":              awsapi.Op(s.batchDeleteImage),
			"GetAuthorizationToken":         awsapi.Op(s.getAuthorizationToken),
			"SetRepositoryPolicy":           awsapi.Op(s.setRepositoryPolicy),
			"GetRepositoryPolicy":           awsapi.Op(s.getRepositoryPolicy),
			"DeleteRepositoryPolicy":        awsapi.Op(s.deleteRepositoryPolicy),
			"PutLifecyclePolicy":            awsapi.Op(s.putLifecyclePolicy),
			"GetLifecyclePolicy":            awsapi.Op(s.getLifecyclePolicy),
			"DeleteLifecyclePolicy":         awsapi.Op(s.deleteLifecyclePolicy),
			"TagResource":                   awsapi.Op(s.tagResource),
			"UntagResource":                 awsapi.Op(s.untagResource),
			"ListTagsForResource":           awsapi.Op(s.listTagsForResource),
		},
	})
	return nil
}

// ---- shapes ----

type exclusionFilter struct {
	FilterType string `json:"filterType"`
	Filter     string `json:"filter"`
}

type scanningConfig struct {
	ScanOnPush bool `json:"scanOnPush"`
}

type encryptionConfig struct {
	EncryptionType string `json:"encryptionType"`
	KmsKey         string `json:"kmsKey,omitempty"`
}

type tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

type repository struct {
	RepositoryArn                      string            `json:"repositoryArn"`
	RegistryID                         string            `json:"registryId"`
	RepositoryName                     string            `json:"repositoryName"`
	RepositoryURI                      string            `json:"repositoryUri"`
	CreatedAt                          awsapi.Time       `json:"createdAt"`
	ImageTagMutability                 string            `json:"imageTagMutability"`
	ImageTagMutabilityExclusionFilters []exclusionFilter `json:"imageTagMutabilityExclusionFilters,omitempty"`
	ImageScanningConfiguration         scanningConfig    `json:"imageScanningConfiguration"`
	EncryptionConfiguration            encryptionConfig  `json:"encryptionConfiguration"`
}

// ---- errors with AWS's texts ----

func invalidParam(field, constraint string) error {
	return awsapi.NewError("InvalidParameterException", "Invalid parameter at '"+field+"' failed to satisfy constraint: '"+constraint+"'")
}

func repoNotFound(r Repo) error {
	return awsapi.Errorf("RepositoryNotFoundException", "The repository with name '%s' does not exist in the registry with id '%s'", r.Name, r.Account)
}

var registryIDRE = regexp.MustCompile(`^[0-9]{12}$`)

// repoRef validates repositoryName and registryId (as every ECR operation
// does) and names the repository. registryId defaults to the caller's account.
func repoRef(c *awsapi.Context, registryID, name string) (Repo, error) {
	if err := checkRepositoryName(name); err != nil {
		return Repo{}, err
	}
	acct, err := registry(c, registryID)
	return Repo{Account: acct, Region: c.Region, Name: name}, err
}

func registry(c *awsapi.Context, registryID string) (string, error) {
	if registryID == "" {
		return c.Account, nil
	}
	if !registryIDRE.MatchString(registryID) {
		return "", invalidParam("registryId", "must satisfy regular expression '[0-9]{12}'")
	}
	return registryID, nil
}

func checkRepositoryName(name string) error {
	switch {
	case name == "":
		return invalidParam("repositoryName", "must not be null")
	case len(name) < awsrules.RepositoryNameMinLen:
		return invalidParam("repositoryName", fmt.Sprintf("must have length greater than or equal to %d", awsrules.RepositoryNameMinLen))
	case len(name) > awsrules.RepositoryNameMaxLen:
		return invalidParam("repositoryName", fmt.Sprintf("must have length less than or equal to %d", awsrules.RepositoryNameMaxLen))
	case !awsrules.ValidRepositoryName(name):
		return invalidParam("repositoryName", "must satisfy regular expression '"+awsrules.RepositoryNamePattern+"'")
	}
	return nil
}

// pageParams checks a listing's maxResults and decodes its nextToken into
// the key the page starts after.
func pageParams(maxResults *int32, nextToken string) (limit int, after string, err error) {
	limit = defaultPage
	if v := maxResults; v != nil {
		switch {
		case *v < 1:
			return 0, "", invalidParam("maxResults", "must be greater than or equal to 1")
		case *v > maxPage:
			return 0, "", invalidParam("maxResults", fmt.Sprintf("must be less than or equal to %d", maxPage))
		}
		limit = int(*v)
	}
	if nextToken != "" {
		key, ok := awsapi.DecodeToken(nextToken)
		if !ok {
			return 0, "", invalidParam("nextToken", "Invalid NextToken")
		}
		after = key
	}
	return limit, after, nil
}

func checkMutability(mutability string, filters []exclusionFilter) error {
	if !awsrules.ValidImageTagMutability(mutability) {
		return invalidParam("imageTagMutability", "Member must satisfy enum value set: ["+strings.Join(awsrules.ImageTagMutabilities, ", ")+"]")
	}
	if !awsrules.MutabilityNeedsExclusions(mutability) {
		if len(filters) > 0 {
			return invalidParam("imageTagMutabilityExclusionFilters", "Exclusion filters can only be specified when imageTagMutability is IMMUTABLE_WITH_EXCLUSION or MUTABLE_WITH_EXCLUSION")
		}
		return nil
	}
	if len(filters) < awsrules.ExclusionFiltersMin {
		return invalidParam("imageTagMutabilityExclusionFilters", "Exclusion filters are required when imageTagMutability is "+mutability)
	}
	if len(filters) > awsrules.ExclusionFiltersMax {
		return invalidParam("imageTagMutabilityExclusionFilters", fmt.Sprintf("must have length less than or equal to %d", awsrules.ExclusionFiltersMax))
	}
	for _, f := range filters {
		if f.FilterType != awsrules.ExclusionFilterTypeWildcard {
			return invalidParam("filterType", "Member must satisfy enum value set: ["+awsrules.ExclusionFilterTypeWildcard+"]")
		}
		if !awsrules.ValidExclusionFilter(f.Filter) {
			return invalidParam("filter", "must satisfy regular expression '"+awsrules.ExclusionFilterPattern+"'")
		}
	}
	return nil
}

const (
	invalidTagMessage  = "An invalid parameter has been specified. Tag keys can have a maximum character length of 128 characters, and tag values can have a maximum length of 256 characters."
	tooManyTagsMessage = "The list of tags on the repository is over the limit. The maximum number of tags that can be applied to a repository is 50."
)

// mergeTags applies add to have (a new value replaces an existing key's) and
// checks the result as ECR does.
func mergeTags(have, add []tag) ([]tag, error) {
	out := append([]tag(nil), have...)
	for _, t := range add {
		if !awsrules.ValidECRTag(t.Key, t.Value) {
			return nil, awsapi.NewError("InvalidTagParameterException", invalidTagMessage)
		}
		replaced := false
		for i := range out {
			if out[i].Key == t.Key {
				out[i].Value, replaced = t.Value, true
			}
		}
		if !replaced {
			out = append(out, t)
		}
	}
	if len(out) > awsrules.ECRMaxTags {
		return nil, awsapi.NewError("TooManyTagsException", tooManyTagsMessage)
	}
	return out, nil
}

// ---- repository rows ----

const repoColumns = `name, created_at, tag_mutability, exclusion_filters, scan_on_push, encryption_type, kms_key`

func scanRepository(row rowScanner, acct, region string) (*repository, error) {
	var (
		name, mut, filters, encType, kmsKey string
		created                             int64
		scan                                bool
	)
	if err := row.Scan(&name, &created, &mut, &filters, &scan, &encType, &kmsKey); err != nil {
		return nil, err
	}
	var excl []exclusionFilter
	if filters != "[]" && filters != "" {
		if err := json.Unmarshal([]byte(filters), &excl); err != nil {
			return nil, err
		}
	}
	return newRepository(acct, region, name, created, mut, excl, scan, encryptionConfig{EncryptionType: encType, KmsKey: kmsKey}), nil
}

// newRepository is the repository object ECR answers with, from what is
// stored about it.
func newRepository(acct, region, name string, createdMs int64, mut string, excl []exclusionFilter, scan bool, enc encryptionConfig) *repository {
	if len(excl) == 0 {
		excl = nil
	}
	if enc.EncryptionType != awsrules.ECREncryptionAES256 && enc.KmsKey == "" {
		enc.KmsKey = defaultKMSKey(acct, region)
	}
	// Plain concatenation: a data dir upgraded from before the doc column
	// builds a thousand of these on its first DescribeRepositories page.
	return &repository{
		RepositoryArn:                      "arn:aws:ecr:" + region + ":" + acct + ":repository/" + name,
		RegistryID:                         acct,
		RepositoryName:                     name,
		RepositoryURI:                      acct + ".dkr.ecr." + region + ".amazonaws.com/" + name,
		CreatedAt:                          awsapi.Time(time.UnixMilli(createdMs).UTC()),
		ImageTagMutability:                 mut,
		ImageTagMutabilityExclusionFilters: excl,
		ImageScanningConfiguration:         scanningConfig{ScanOnPush: scan},
		EncryptionConfiguration:            enc,
	}
}

// defaultKMSKey is the key reference for KMS encryption without a kmsKey:
// the AWS managed key for ECR.
func defaultKMSKey(acct, region string) string {
	return fmt.Sprintf("arn:aws:kms:%s:%s:alias/aws/ecr", region, acct)
}

func getRepository(q querier, r Repo) (*repository, error) {
	rep, err := scanRepository(q.QueryRow(`SELECT `+repoColumns+` FROM ecr_repositories WHERE account=? AND region=? AND name=?`,
		r.Account, r.Region, r.Name), r.Account, r.Region)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, repoNotFound(r)
	}
	return rep, err
}

// refreshDoc rewrites a repository's stored document from its columns,
// after a change to what the document shows.
func refreshDoc(tx *state.Tx, r Repo) error {
	rep, err := getRepository(tx, r)
	if err != nil {
		return err
	}
	doc, err := json.Marshal(rep)
	if err != nil {
		return err
	}
	_, err = tx.Exec(`UPDATE ecr_repositories SET doc=? WHERE account=? AND region=? AND name=?`, string(doc), r.Account, r.Region, r.Name)
	return err
}

// ---- repositories ----

type createRepositoryInput struct {
	RegistryID                         string            `json:"registryId"`
	RepositoryName                     string            `json:"repositoryName"`
	Tags                               []tag             `json:"tags"`
	ImageTagMutability                 string            `json:"imageTagMutability"`
	ImageTagMutabilityExclusionFilters []exclusionFilter `json:"imageTagMutabilityExclusionFilters"`
	ImageScanningConfiguration         *scanningConfig   `json:"imageScanningConfiguration"`
	EncryptionConfiguration            *encryptionConfig `json:"encryptionConfiguration"`
}

type repositoryOutput struct {
	Repository *repository `json:"repository"`
}

func (s *service) createRepository(c *awsapi.Context, in *createRepositoryInput) (*repositoryOutput, error) {
	r, err := repoRef(c, in.RegistryID, in.RepositoryName)
	if err != nil {
		return nil, err
	}
	mut := in.ImageTagMutability
	if mut == "" {
		mut = awsrules.TagMutable
	}
	if err := checkMutability(mut, in.ImageTagMutabilityExclusionFilters); err != nil {
		return nil, err
	}
	enc := encryptionConfig{EncryptionType: awsrules.ECREncryptionAES256}
	if in.EncryptionConfiguration != nil {
		enc = *in.EncryptionConfiguration
		switch {
		case !contains(awsrules.ECREncryptionTypes, enc.EncryptionType):
			return nil, invalidParam("encryptionConfiguration.encryptionType", "Member must satisfy enum value set: ["+strings.Join(awsrules.ECREncryptionTypes, ", ")+"]")
		case enc.EncryptionType == awsrules.ECREncryptionAES256 && enc.KmsKey != "":
			return nil, invalidParam("encryptionConfiguration", "KMS key should not be specified when encryption type is AES256")
		case len(enc.KmsKey) > 2048:
			return nil, invalidParam("encryptionConfiguration.kmsKey", "must have length less than or equal to 2048")
		}
	}
	if enc.EncryptionType != awsrules.ECREncryptionAES256 {
		// ECR checks the key with KMS at creation and reports the key's ARN.
		ref := enc.KmsKey
		if ref == "" {
			ref = "alias/aws/ecr"
		}
		arn, err := kms.ResolveKey(c, s.db, c.Account, c.Region, ref)
		if errors.Is(err, kms.ErrKeyNotFound) {
			return nil, awsapi.Errorf("KmsException", "KMS key %s could not be found or is not enabled in account %s and region %s.", ref, c.Account, c.Region)
		}
		if err != nil {
			return nil, err
		}
		enc.KmsKey = arn
	}
	tags, err := mergeTags(nil, in.Tags)
	if err != nil {
		return nil, err
	}
	scan := in.ImageScanningConfiguration != nil && in.ImageScanningConfiguration.ScanOnPush
	filters := in.ImageTagMutabilityExclusionFilters
	if filters == nil {
		filters = []exclusionFilter{}
	}
	filtersJSON, _ := json.Marshal(filters)
	tagsJSON, _ := json.Marshal(tags)
	created := time.Now().UnixMilli()
	rep := newRepository(r.Account, r.Region, r.Name, created, mut, filters, scan, enc)
	doc, err := json.Marshal(rep)
	if err != nil {
		return nil, err
	}
	err = s.db.Write(c, func(tx *state.Tx) error {
		res, err := tx.Exec(`INSERT INTO ecr_repositories (account, region, name, created_at, tag_mutability, exclusion_filters, scan_on_push, encryption_type, kms_key, tags, doc)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			r.Account, r.Region, r.Name, created, mut, string(filtersJSON), scan, enc.EncryptionType, enc.KmsKey, string(tagsJSON), string(doc))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return awsapi.Errorf("RepositoryAlreadyExistsException", "The repository with name '%s' already exists in the registry with id '%s'", r.Name, r.Account)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &repositoryOutput{Repository: rep}, nil
}

type describeRepositoriesInput struct {
	RegistryID      string   `json:"registryId"`
	RepositoryNames []string `json:"repositoryNames"`
	NextToken       string   `json:"nextToken"`
	MaxResults      *int32   `json:"maxResults"`
}

// describeRepositories answers with the documents stored for each
// repository, spliced into the response as they are: reading one column per
// row and not re-encoding it is what makes a page of 1,000 cheap.
func (s *service) describeRepositories(c *awsapi.Context, in *describeRepositoriesInput) (*awsapi.RawJSON, error) {
	acct, err := registry(c, in.RegistryID)
	if err != nil {
		return nil, err
	}
	limit, after, err := pageParams(in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	q := readQuerier{c, s.db.Read()}
	if len(in.RepositoryNames) > 0 {
		return s.describeNamed(q, acct, c.Region, in.RepositoryNames)
	}
	// SQLite joins the page's documents itself: one row through the driver
	// instead of a thousand. The subquery walks the primary key, so the
	// documents arrive in name order; group_concat(… ORDER BY name) would
	// sort them again into a temporary b-tree, which cost more than the
	// rest of the query (TestDescribeRepositories checks the order).
	// The joined documents are read as the driver's bytes and copied once,
	// into the answer.
	var n, missing int
	var last string
	var out []byte
	rows, err := q.Query(`SELECT count(*), coalesce(max(name), ''), count(*) - count(doc), coalesce(group_concat(doc, ','), '')
		FROM (SELECT name, doc FROM ecr_repositories WHERE account=? AND region=? AND name > ? ORDER BY name LIMIT ?)`,
		acct, c.Region, after, limit)
	if err != nil {
		return nil, err
	}
	if rows.Next() {
		var docs sql.RawBytes
		if err := rows.Scan(&n, &last, &missing, &docs); err != nil {
			rows.Close()
			return nil, err
		}
		out = make([]byte, 0, len(docs)+128)
		out = append(out, `{"repositories":[`...)
		out = append(out, docs...)
		out = append(out, ']')
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if missing > 0 {
		return s.describeRows(q, acct, c.Region, after, limit)
	}
	if n == limit {
		var one int
		err := q.QueryRow(`SELECT 1 FROM ecr_repositories WHERE account=? AND region=? AND name > ? LIMIT 1`, acct, c.Region, last).Scan(&one)
		switch {
		case err == nil:
			out = append(out, `,"nextToken":`...)
			out = strconv.AppendQuote(out, awsapi.EncodeToken(last))
		case !errors.Is(err, sql.ErrNoRows):
			return nil, err
		}
	}
	out = append(out, '}')
	return (*awsapi.RawJSON)(&out), nil
}

// describeRows is a page read row by row, for a page with repositories that
// have no stored document yet.
func (s *service) describeRows(q querier, acct, region, after string, limit int) (*awsapi.RawJSON, error) {
	rows, err := q.Query(`SELECT name, doc FROM ecr_repositories WHERE account=? AND region=? AND name > ? ORDER BY name LIMIT ?`,
		acct, region, after, limit+1)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []byte(`{"repositories":[`)
	var name, last string
	var doc sql.RawBytes
	n := 0
	for rows.Next() {
		if n == limit {
			// The extra row only says that there is a next page.
			out = append(out, `],"nextToken":`...)
			out = strconv.AppendQuote(out, awsapi.EncodeToken(last))
			out = append(out, '}')
			return (*awsapi.RawJSON)(&out), rows.Close()
		}
		if err := rows.Scan(&name, &doc); err != nil {
			return nil, err
		}
		if n > 0 {
			out = append(out, ',')
		}
		if out, err = s.appendRepoDoc(out, q, Repo{Account: acct, Region: region, Name: name}, doc); err != nil {
			return nil, err
		}
		last = name
		n++
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out = append(out, "]}"...)
	return (*awsapi.RawJSON)(&out), nil
}

// appendRepoDoc appends a repository's stored document, or builds it from
// the row's columns when it has none (a row written by a version of the
// emulator from before the doc column, or one whose settings it changed).
func (s *service) appendRepoDoc(out []byte, q querier, r Repo, doc []byte) ([]byte, error) {
	if doc != nil {
		return append(out, doc...), nil
	}
	rep, err := getRepository(q, r)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(rep)
	if err != nil {
		return nil, err
	}
	return append(out, b...), nil
}

// describeNamed answers DescribeRepositories for a list of names: in the
// order asked, each once, and RepositoryNotFoundException for the first
// that does not exist.
func (s *service) describeNamed(q querier, acct, region string, names []string) (*awsapi.RawJSON, error) {
	if len(names) > 100 {
		return nil, invalidParam("repositoryNames", "must have length less than or equal to 100")
	}
	args := []any{acct, region}
	for _, n := range names {
		if err := checkRepositoryName(n); err != nil {
			return nil, err
		}
		args = append(args, n)
	}
	rows, err := q.Query(`SELECT name, doc FROM ecr_repositories WHERE account=? AND region=? AND name IN (?`+
		strings.Repeat(",?", len(names)-1)+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	found := map[string][]byte{}
	for rows.Next() {
		var name string
		var doc []byte
		if err := rows.Scan(&name, &doc); err != nil {
			return nil, err
		}
		if found[name], err = s.appendRepoDoc(nil, q, Repo{Account: acct, Region: region, Name: name}, doc); err != nil {
			return nil, err
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := []byte(`{"repositories":[`)
	done := map[string]bool{}
	for _, n := range names {
		doc := found[n]
		if doc == nil {
			return nil, repoNotFound(Repo{Account: acct, Region: region, Name: n})
		}
		if done[n] {
			continue
		}
		if len(done) > 0 {
			out = append(out, ',')
		}
		done[n] = true
		out = append(out, doc...)
	}
	out = append(out, "]}"...)
	return (*awsapi.RawJSON)(&out), nil
}

type deleteRepositoryInput struct {
	RegistryID     string `json:"registryId"`
	RepositoryName string `json:"repositoryName"`
	Force          bool   `json:"force"`
}

func (s *service) deleteRepository(c *awsapi.Context, in *deleteRepositoryInput) (*repositoryOutput, error) {
	r, err := repoRef(c, in.RegistryID, in.RepositoryName)
	if err != nil {
		return nil, err
	}
	var rep *repository
	err = s.db.Write(c, func(tx *state.Tx) error {
		if rep, err = getRepository(tx, r); err != nil {
			return err
		}
		if !in.Force {
			var n int
			err := tx.QueryRow(`SELECT 1 FROM ecr_images WHERE account=? AND region=? AND repository=? LIMIT 1`, r.Account, r.Region, r.Name).Scan(&n)
			if err == nil {
				return awsapi.Errorf("RepositoryNotEmptyException", "The repository with name '%s' in registry with id '%s' cannot be deleted because it still contains images", r.Name, r.Account)
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		_, err := tx.Exec(`DELETE FROM ecr_repositories WHERE account=? AND region=? AND name=?`, r.Account, r.Region, r.Name)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &repositoryOutput{Repository: rep}, nil
}

// updateRepository runs fn on an existing repository inside a write.
func (s *service) updateRepository(c *awsapi.Context, r Repo, fn func(tx *state.Tx) error) error {
	return s.db.Write(c, func(tx *state.Tx) error {
		if ok, err := repoExistsTx(tx, r); err != nil || !ok {
			if err == nil {
				err = repoNotFound(r)
			}
			return err
		}
		return fn(tx)
	})
}

type putImageTagMutabilityInput struct {
	RegistryID                         string            `json:"registryId"`
	RepositoryName                     string            `json:"repositoryName"`
	ImageTagMutability                 string            `json:"imageTagMutability"`
	ImageTagMutabilityExclusionFilters []exclusionFilter `json:"imageTagMutabilityExclusionFilters"`
}

type putImageTagMutabilityOutput struct {
	RegistryID                         string            `json:"registryId"`
	RepositoryName                     string            `json:"repositoryName"`
	ImageTagMutability                 string            `json:"imageTagMutability"`
	ImageTagMutabilityExclusionFilters []exclusionFilter `json:"imageTagMutabilityExclusionFilters,omitempty"`
}

func (s *service) putImageTagMutability(c *awsapi.Context, in *putImageTagMutabilityInput) (*putImageTagMutabilityOutput, error) {
	r, err := repoRef(c, in.RegistryID, in.RepositoryName)
	if err != nil {
		return nil, err
	}
	if err := checkMutability(in.ImageTagMutability, in.ImageTagMutabilityExclusionFilters); err != nil {
		return nil, err
	}
	filters := in.ImageTagMutabilityExclusionFilters
	if filters == nil {
		filters = []exclusionFilter{}
	}
	fj, _ := json.Marshal(filters)
	err = s.updateRepository(c, r, func(tx *state.Tx) error {
		_, err := tx.Exec(`UPDATE ecr_repositories SET tag_mutability=?, exclusion_filters=? WHERE account=? AND region=? AND name=?`,
			in.ImageTagMutability, string(fj), r.Account, r.Region, r.Name)
		if err != nil {
			return err
		}
		return refreshDoc(tx, r)
	})
	if err != nil {
		return nil, err
	}
	return &putImageTagMutabilityOutput{RegistryID: r.Account, RepositoryName: r.Name, ImageTagMutability: in.ImageTagMutability,
		ImageTagMutabilityExclusionFilters: in.ImageTagMutabilityExclusionFilters}, nil
}

type putImageScanningConfigurationInput struct {
	RegistryID                 string          `json:"registryId"`
	RepositoryName             string          `json:"repositoryName"`
	ImageScanningConfiguration *scanningConfig `json:"imageScanningConfiguration"`
}

type putImageScanningConfigurationOutput struct {
	RegistryID                 string         `json:"registryId"`
	RepositoryName             string         `json:"repositoryName"`
	ImageScanningConfiguration scanningConfig `json:"imageScanningConfiguration"`
}

func (s *service) putImageScanningConfiguration(c *awsapi.Context, in *putImageScanningConfigurationInput) (*putImageScanningConfigurationOutput, error) {
	r, err := repoRef(c, in.RegistryID, in.RepositoryName)
	if err != nil {
		return nil, err
	}
	if in.ImageScanningConfiguration == nil {
		return nil, invalidParam("imageScanningConfiguration", "must not be null")
	}
	scan := in.ImageScanningConfiguration.ScanOnPush
	err = s.updateRepository(c, r, func(tx *state.Tx) error {
		_, err := tx.Exec(`UPDATE ecr_repositories SET scan_on_push=? WHERE account=? AND region=? AND name=?`, scan, r.Account, r.Region, r.Name)
		if err != nil {
			return err
		}
		return refreshDoc(tx, r)
	})
	if err != nil {
		return nil, err
	}
	return &putImageScanningConfigurationOutput{RegistryID: r.Account, RepositoryName: r.Name, ImageScanningConfiguration: scanningConfig{ScanOnPush: scan}}, nil
}

// ---- repository policy ----

type repoPolicyInput struct {
	RegistryID     string `json:"registryId"`
	RepositoryName string `json:"repositoryName"`
	PolicyText     string `json:"policyText"`
	Force          bool   `json:"force"`
}

type repoPolicyOutput struct {
	RegistryID     string `json:"registryId"`
	RepositoryName string `json:"repositoryName"`
	PolicyText     string `json:"policyText,omitempty"`
}

const invalidRepoPolicy = "Invalid repository policy provided"

// checkRepositoryPolicy accepts what ECR accepts: a JSON policy document
// with statements that have an Effect, a Principal and an Action, and no
// Resource (a repository policy applies to its repository).
func checkRepositoryPolicy(text string) error {
	if len(text) > 10240 {
		return invalidParam("policyText", "must have length less than or equal to 10240")
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal([]byte(text), &doc); err != nil || doc == nil {
		return invalidParam("PolicyText", invalidRepoPolicy)
	}
	var stmts []map[string]json.RawMessage
	raw := doc["Statement"]
	if len(raw) > 0 && raw[0] == '{' {
		raw = append(append([]byte("["), raw...), ']')
	}
	if err := json.Unmarshal(raw, &stmts); err != nil || len(stmts) == 0 {
		return invalidParam("PolicyText", invalidRepoPolicy)
	}
	for _, st := range stmts {
		var effect string
		json.Unmarshal(st["Effect"], &effect)
		_, hasPrincipal := st["Principal"]
		_, hasNotPrincipal := st["NotPrincipal"]
		_, hasAction := st["Action"]
		_, hasNotAction := st["NotAction"]
		_, hasResource := st["Resource"]
		if (effect != "Allow" && effect != "Deny") || !(hasPrincipal || hasNotPrincipal) || !(hasAction || hasNotAction) || hasResource {
			return invalidParam("PolicyText", invalidRepoPolicy)
		}
	}
	return nil
}

func (s *service) setRepositoryPolicy(c *awsapi.Context, in *repoPolicyInput) (*repoPolicyOutput, error) {
	r, err := repoRef(c, in.RegistryID, in.RepositoryName)
	if err != nil {
		return nil, err
	}
	if err := checkRepositoryPolicy(in.PolicyText); err != nil {
		return nil, err
	}
	err = s.updateRepository(c, r, func(tx *state.Tx) error {
		_, err := tx.Exec(`UPDATE ecr_repositories SET policy=? WHERE account=? AND region=? AND name=?`, in.PolicyText, r.Account, r.Region, r.Name)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &repoPolicyOutput{RegistryID: r.Account, RepositoryName: r.Name, PolicyText: in.PolicyText}, nil
}

func policyNotFound(r Repo) error {
	return awsapi.Errorf("RepositoryPolicyNotFoundException", "Repository policy does not exist for the repository with name '%s' in the registry with id '%s'", r.Name, r.Account)
}

func lifecycleNotFound(r Repo) error {
	return awsapi.Errorf("LifecyclePolicyNotFoundException", "Lifecycle policy does not exist for the repository with name '%s' in the registry with id '%s'", r.Name, r.Account)
}

// policyColumn reads (and with del, clears) a policy column of a repository.
func (s *service) policyColumn(c *awsapi.Context, r Repo, column string, del bool, notFound func(Repo) error) (string, error) {
	var text sql.NullString
	err := s.updateRepository(c, r, func(tx *state.Tx) error {
		if err := tx.QueryRow(`SELECT `+column+` FROM ecr_repositories WHERE account=? AND region=? AND name=?`, r.Account, r.Region, r.Name).Scan(&text); err != nil {
			return err
		}
		if !text.Valid {
			return notFound(r)
		}
		if !del {
			return nil
		}
		_, err := tx.Exec(`UPDATE ecr_repositories SET `+column+`=NULL WHERE account=? AND region=? AND name=?`, r.Account, r.Region, r.Name)
		return err
	})
	return text.String, err
}

func (s *service) getRepositoryPolicy(c *awsapi.Context, in *repoPolicyInput) (*repoPolicyOutput, error) {
	return s.repositoryPolicy(c, in, false)
}

func (s *service) deleteRepositoryPolicy(c *awsapi.Context, in *repoPolicyInput) (*repoPolicyOutput, error) {
	return s.repositoryPolicy(c, in, true)
}

func (s *service) repositoryPolicy(c *awsapi.Context, in *repoPolicyInput, del bool) (*repoPolicyOutput, error) {
	r, err := repoRef(c, in.RegistryID, in.RepositoryName)
	if err != nil {
		return nil, err
	}
	text, err := s.policyColumn(c, r, "policy", del, policyNotFound)
	if err != nil {
		return nil, err
	}
	return &repoPolicyOutput{RegistryID: r.Account, RepositoryName: r.Name, PolicyText: text}, nil
}

// ---- lifecycle policy ----

type lifecycleInput struct {
	RegistryID          string `json:"registryId"`
	RepositoryName      string `json:"repositoryName"`
	LifecyclePolicyText string `json:"lifecyclePolicyText"`
}

type lifecycleOutput struct {
	RegistryID          string `json:"registryId"`
	RepositoryName      string `json:"repositoryName"`
	LifecyclePolicyText string `json:"lifecyclePolicyText,omitempty"`
}

func (s *service) putLifecyclePolicy(c *awsapi.Context, in *lifecycleInput) (*lifecycleOutput, error) {
	r, err := repoRef(c, in.RegistryID, in.RepositoryName)
	if err != nil {
		return nil, err
	}
	switch n := len(in.LifecyclePolicyText); {
	case n < awsrules.LifecyclePolicyMinLen:
		return nil, invalidParam("lifecyclePolicyText", fmt.Sprintf("must have length greater than or equal to %d", awsrules.LifecyclePolicyMinLen))
	case n > awsrules.LifecyclePolicyMaxLen:
		return nil, invalidParam("lifecyclePolicyText", fmt.Sprintf("must have length less than or equal to %d", awsrules.LifecyclePolicyMaxLen))
	}
	if is := awsrules.CheckLifecyclePolicy(in.LifecyclePolicyText); is != nil {
		return nil, invalidParam("LifecyclePolicyText", "Lifecycle policy validation failure: "+is.Detail)
	}
	err = s.updateRepository(c, r, func(tx *state.Tx) error {
		_, err := tx.Exec(`UPDATE ecr_repositories SET lifecycle_policy=? WHERE account=? AND region=? AND name=?`, in.LifecyclePolicyText, r.Account, r.Region, r.Name)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &lifecycleOutput{RegistryID: r.Account, RepositoryName: r.Name, LifecyclePolicyText: in.LifecyclePolicyText}, nil
}

func (s *service) getLifecyclePolicy(c *awsapi.Context, in *lifecycleInput) (*lifecycleOutput, error) {
	return s.lifecyclePolicy(c, in, false)
}

func (s *service) deleteLifecyclePolicy(c *awsapi.Context, in *lifecycleInput) (*lifecycleOutput, error) {
	return s.lifecyclePolicy(c, in, true)
}

func (s *service) lifecyclePolicy(c *awsapi.Context, in *lifecycleInput, del bool) (*lifecycleOutput, error) {
	r, err := repoRef(c, in.RegistryID, in.RepositoryName)
	if err != nil {
		return nil, err
	}
	text, err := s.policyColumn(c, r, "lifecycle_policy", del, lifecycleNotFound)
	if err != nil {
		return nil, err
	}
	return &lifecycleOutput{RegistryID: r.Account, RepositoryName: r.Name, LifecyclePolicyText: text}, nil
}

// ---- resource tags ----

var repoARNRE = regexp.MustCompile(`^arn:aws[a-z-]*:ecr:([a-z0-9-]+):([0-9]{12}):repository/(.+)$`)

func repoFromARN(arn string) (Repo, error) {
	m := repoARNRE.FindStringSubmatch(arn)
	if m == nil {
		return Repo{}, invalidParam("resourceArn", "Invalid ARN")
	}
	if err := checkRepositoryName(m[3]); err != nil {
		return Repo{}, err
	}
	return Repo{Account: m[2], Region: m[1], Name: m[3]}, nil
}

type tagResourceInput struct {
	ResourceArn string   `json:"resourceArn"`
	Tags        []tag    `json:"tags"`
	TagKeys     []string `json:"tagKeys"`
}

type emptyOutput struct{}

type listTagsOutput struct {
	Tags []tag `json:"tags"`
}

// editTags reads a repository's tags, lets fn change them and stores them.
func (s *service) editTags(c *awsapi.Context, arn string, fn func([]tag) ([]tag, error)) ([]tag, error) {
	r, err := repoFromARN(arn)
	if err != nil {
		return nil, err
	}
	var tags []tag
	err = s.updateRepository(c, r, func(tx *state.Tx) error {
		var tj string
		if err := tx.QueryRow(`SELECT tags FROM ecr_repositories WHERE account=? AND region=? AND name=?`, r.Account, r.Region, r.Name).Scan(&tj); err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(tj), &tags); err != nil {
			return err
		}
		if fn == nil {
			return nil
		}
		if tags, err = fn(tags); err != nil {
			return err
		}
		b, _ := json.Marshal(tags)
		_, err := tx.Exec(`UPDATE ecr_repositories SET tags=? WHERE account=? AND region=? AND name=?`, string(b), r.Account, r.Region, r.Name)
		return err
	})
	return tags, err
}

func (s *service) tagResource(c *awsapi.Context, in *tagResourceInput) (*emptyOutput, error) {
	_, err := s.editTags(c, in.ResourceArn, func(have []tag) ([]tag, error) { return mergeTags(have, in.Tags) })
	if err != nil {
		return nil, err
	}
	return &emptyOutput{}, nil
}

func (s *service) untagResource(c *awsapi.Context, in *tagResourceInput) (*emptyOutput, error) {
	_, err := s.editTags(c, in.ResourceArn, func(have []tag) ([]tag, error) {
		out := have[:0]
		for _, t := range have {
			if !contains(in.TagKeys, t.Key) {
				out = append(out, t)
			}
		}
		return out, nil
	})
	if err != nil {
		return nil, err
	}
	return &emptyOutput{}, nil
}

func (s *service) listTagsForResource(c *awsapi.Context, in *tagResourceInput) (*listTagsOutput, error) {
	tags, err := s.editTags(c, in.ResourceArn, nil)
	if err != nil {
		return nil, err
	}
	if tags == nil {
		tags = []tag{}
	}
	return &listTagsOutput{Tags: tags}, nil
}

// ---- authorization ----

type getAuthorizationTokenInput struct {
	RegistryIDs []string `json:"registryIds"`
}

type authorizationData struct {
	AuthorizationToken string      `json:"authorizationToken"`
	ExpiresAt          awsapi.Time `json:"expiresAt"`
	ProxyEndpoint      string      `json:"proxyEndpoint"`
}

type getAuthorizationTokenOutput struct {
	AuthorizationData []authorizationData `json:"authorizationData"`
}

func (s *service) getAuthorizationToken(c *awsapi.Context, in *getAuthorizationTokenInput) (*getAuthorizationTokenOutput, error) {
	ids := in.RegistryIDs
	if len(ids) > 10 {
		return nil, invalidParam("registryIds", "must have length less than or equal to 10")
	}
	if len(ids) == 0 {
		ids = []string{c.Account}
	}
	expires := time.Now().Add(TokenLifetime).Truncate(time.Millisecond)
	out := &getAuthorizationTokenOutput{}
	for _, id := range ids {
		if _, err := registry(c, id); err != nil {
			return nil, err
		}
		pw := s.auth.Password(id, c.Region, expires)
		out.AuthorizationData = append(out.AuthorizationData, authorizationData{
			AuthorizationToken: base64Std(RegistryUser + ":" + pw),
			ExpiresAt:          awsapi.Time(expires),
			ProxyEndpoint:      fmt.Sprintf("https://%s.dkr.ecr.%s.amazonaws.com", id, c.Region),
		})
	}
	return out, nil
}

func contains(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}
