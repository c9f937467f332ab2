package form

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/berthhq/berth/internal/awsrules"
)

// Field names of the repository forms; the templates use the same names.
const (
	RepoName          = "name"
	RepoTagMutability = "tagMutability"
	RepoExclusions    = "exclusions"
	RepoScanOnPush    = "scanOnPush"
	RepoEncryption    = "encryption"
	RepoKMSKey        = "kmsKey"
	RepoKMSKeyARN     = "kmsKeyArn"
	RepoTags          = "tags"
)

// Key picker values besides key ARNs: KMSKeyCustom is "Enter a key ARN"
// (the ARN field is required); KMSKeyTyped is the form without a picker,
// when KMS could not be asked (an empty ARN field means aws/ecr).
const (
	KMSKeyCustom = "custom"
	KMSKeyTyped  = "typed"
)

// Repository is the "Create repository" form.
type Repository struct {
	Name string
	RepositorySettings
	// Encryption is AES256, KMS or KMS_DSSE.
	Encryption string
	// KMSKey is the picker's choice: "" for the AWS managed key aws/ecr,
	// KMSKeyCustom for KMSKeyARN, or a key ARN from the list.
	KMSKey    string
	KMSKeyARN string
	Tags      []KeyValue
}

// RepositorySettings are what can change after creation (the Edit form).
type RepositorySettings struct {
	// TagMutability is one of awsrules.ImageTagMutabilities.
	TagMutability string
	// ExclusionFilters are the non-empty filter rows, in the order typed.
	ExclusionFilters []string
	ScanOnPush       bool
}

// DecodeRepository reads the create form as posted.
func DecodeRepository(v url.Values) Repository {
	f := Repository{
		Name:               Trimmed(v, RepoName),
		RepositorySettings: DecodeRepositorySettings(v),
		Encryption:         v.Get(RepoEncryption),
		KMSKey:             strings.TrimSpace(v.Get(RepoKMSKey)),
		KMSKeyARN:          Trimmed(v, RepoKMSKeyARN),
		Tags:               KeyValues(v, RepoTags),
	}
	if f.Encryption == "" {
		f.Encryption = awsrules.ECREncryptionAES256
	}
	return f
}

// DecodeRepositorySettings reads tag immutability, its exclusion filters and scan on push.
func DecodeRepositorySettings(v url.Values) RepositorySettings {
	s := RepositorySettings{TagMutability: v.Get(RepoTagMutability), ScanOnPush: Bool(v, RepoScanOnPush)}
	if s.TagMutability == "" {
		s.TagMutability = awsrules.TagMutable
	}
	for i := 0; i < 20; i++ {
		vals, ok := v[ExclusionField(i)]
		if !ok {
			break
		}
		if f := strings.TrimSpace(first(vals)); f != "" {
			s.ExclusionFilters = append(s.ExclusionFilters, f)
		}
	}
	return s
}

// PostedRows counts the rows of a repeated group that a form drew, blank
// ones included: the consecutive indexes from 0 whose field was posted.
func PostedRows(v url.Values, field func(int) string) int {
	n := 0
	for n < 100 {
		if _, ok := v[field(n)]; !ok {
			break
		}
		n++
	}
	return n
}

// ExclusionField is the name of the i-th exclusion filter input.
func ExclusionField(i int) string { return RepoExclusions + "." + itoa(i) }

// TagKeyField and TagValueField name the i-th tag row's inputs.
func TagKeyField(i int) string { return RepoTags + "." + itoa(i) + ".key" }

// TagValueField names the i-th tag row's value input.
func TagValueField(i int) string { return RepoTags + "." + itoa(i) + ".value" }

// KMSKeyValue is the key CreateRepository gets: "" means aws/ecr.
func (f Repository) KMSKeyValue() string {
	if f.Encryption == awsrules.ECREncryptionAES256 {
		return ""
	}
	if f.KMSKey == KMSKeyCustom || f.KMSKey == KMSKeyTyped {
		return f.KMSKeyARN
	}
	return f.KMSKey
}

// Validate checks every rule ECR applies to CreateRepository.
func (f Repository) Validate() Errors {
	var errs Errors
	errs.AddAll(RepoName, RepositoryNameProblems(f.Name))
	f.RepositorySettings.validate(&errs)
	switch f.Encryption {
	case awsrules.ECREncryptionAES256:
	case awsrules.ECREncryptionKMS, awsrules.ECREncryptionKMSDSSE:
		switch {
		case f.KMSKey == KMSKeyCustom:
			errs.AddAll(RepoKMSKeyARN, KMSKeyProblems(f.KMSKeyARN))
		case f.KMSKey == KMSKeyTyped:
			if f.KMSKeyARN != "" {
				errs.AddAll(RepoKMSKeyARN, KMSKeyProblems(f.KMSKeyARN))
			}
		case f.KMSKey != "":
			errs.AddAll(RepoKMSKey, KMSKeyProblems(f.KMSKey))
		}
	default:
		errs.Add(RepoEncryption, "Choose AES-256 or AWS KMS encryption.")
	}
	validateTags(&errs, f.Tags)
	return errs
}

// Validate checks the Edit form.
func (s RepositorySettings) Validate() Errors {
	var errs Errors
	s.validate(&errs)
	return errs
}

func (s RepositorySettings) validate(errs *Errors) {
	if !awsrules.ValidImageTagMutability(s.TagMutability) {
		errs.Add(RepoTagMutability, "Choose one of the tag immutability settings.")
		return
	}
	n := len(s.ExclusionFilters)
	if awsrules.MutabilityNeedsExclusions(s.TagMutability) {
		switch {
		case n < awsrules.ExclusionFiltersMin:
			errs.Add(ExclusionField(0), "Add at least one exclusion filter: this setting needs 1 to 5 filters.")
		case n > awsrules.ExclusionFiltersMax:
			errs.Add(ExclusionField(awsrules.ExclusionFiltersMax-1), fmt.Sprintf("Use at most %d exclusion filters (there are %d).", awsrules.ExclusionFiltersMax, n))
		}
		seen := map[string]bool{}
		for i, flt := range s.ExclusionFilters {
			for _, p := range awsrules.ExclusionFilterProblems(awsrules.ExclusionFilterTypeWildcard, flt) {
				errs.Add(ExclusionField(i), fmt.Sprintf("Filter %q: %s", flt, p))
			}
			if seen[flt] {
				errs.Add(ExclusionField(i), fmt.Sprintf("Filter %q is listed twice.", flt))
			}
			seen[flt] = true
		}
	} else if n > 0 {
		errs.Add(ExclusionField(0), "Exclusion filters only apply to the \"with exclusions\" settings: clear them, or choose Mutable or Immutable with exclusions.")
	}
}

func validateTags(errs *Errors, tags []KeyValue) {
	if len(tags) > awsrules.ECRMaxTags {
		errs.Add(RepoTags, fmt.Sprintf("Use at most %d tags (there are %d).", awsrules.ECRMaxTags, len(tags)))
	}
	seen := map[string]bool{}
	for i, t := range tags {
		if t.Key == "" {
			errs.Add(TagKeyField(i), "Enter a key for this tag, or clear its value.")
		} else {
			for _, p := range awsrules.ECRTagProblems(t.Key, "") {
				errs.Add(TagKeyField(i), p)
			}
			if seen[t.Key] {
				errs.Add(TagKeyField(i), fmt.Sprintf("The key %q is used twice: each tag key must be different.", t.Key))
			}
			seen[t.Key] = true
		}
		if utf8.RuneCountInString(t.Value) > awsrules.ECRMaxTagValueLen {
			errs.Add(TagValueField(i), fmt.Sprintf("Use a tag value of at most %d characters.", awsrules.ECRMaxTagValueLen))
		}
	}
}

var kmsKeyRE = regexp.MustCompile(`^(arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:(key/[A-Za-z0-9-]+|alias/[A-Za-z0-9/_-]+)|alias/[A-Za-z0-9/_-]+|(mrk-)?[A-Za-z0-9-]{1,64})$`)

// KMSKeyProblems checks a KMS key reference: ECR takes a key ARN, key id,
// alias name or alias ARN of up to 2,048 characters.
func KMSKeyProblems(key string) []string {
	switch {
	case key == "":
		return []string{"Enter the ARN of a KMS key, or choose aws/ecr."}
	case len(key) > 2048:
		return []string{"Use at most 2,048 characters for the key."}
	case !kmsKeyRE.MatchString(key):
		return []string{"Enter a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>), a key id, or an alias (alias/<name>)."}
	}
	return nil
}

// RepositoryNameProblems explains each rule a repository name breaks, one
// message per rule, so the person sees everything to fix at once. It agrees
// with awsrules.ValidRepositoryName: no problems exactly when the name is valid.
func RepositoryNameProblems(name string) []string {
	if name == "" {
		return []string{"Enter a repository name."}
	}
	var out []string
	if n := len(name); n < awsrules.RepositoryNameMinLen || n > awsrules.RepositoryNameMaxLen {
		out = append(out, fmt.Sprintf("Use between %d and %d characters (this name has %d).", awsrules.RepositoryNameMinLen, awsrules.RepositoryNameMaxLen, n))
	}
	if strings.ToLower(name) != name {
		out = append(out, "Use lowercase letters only: repository names cannot contain capital letters.")
	}
	var bad []string
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("._-/", r)) {
			q := fmt.Sprintf("%q", string(r))
			if r == ' ' {
				q = "spaces"
			}
			if !contains(bad, q) {
				bad = append(bad, q)
			}
		}
	}
	if len(bad) > 0 {
		out = append(out, "Remove "+strings.Join(bad, ", ")+": only letters, digits and the separators . _ - / are allowed.")
	}
	if strings.HasPrefix(name, "/") || strings.HasSuffix(name, "/") || strings.Contains(name, "//") {
		out = append(out, "Do not start or end the name with /, or put two / together: / separates namespace parts, each of which needs a name.")
	}
	parts := strings.Split(name, "/")
	edge := false
	for _, p := range parts {
		if p == "" {
			continue
		}
		if isSep(p[0]) || isSep(p[len(p)-1]) {
			edge = true
		}
	}
	if edge {
		if len(parts) > 1 {
			out = append(out, "Start and end the name, and each part between slashes, with a letter or digit.")
		} else {
			out = append(out, "Start and end the name with a letter or digit.")
		}
	}
	if badSeparatorRun(name) {
		out = append(out, "Separate letters and digits with one '.', one or two '_', or any number of '-' — not other combinations such as '..', '___' or '_-'.")
	}
	if len(out) == 0 && !awsrules.ValidRepositoryName(name) {
		// Whatever the checks above missed, the service's own rule decides.
		out = awsrules.RepositoryNameProblems(name)
		if len(out) == 0 {
			out = []string{"This name does not match AWS's pattern for repository names."}
		}
	}
	return out
}

func isSep(b byte) bool { return b == '.' || b == '_' || b == '-' }

// badSeparatorRun finds a run of separators between letters or digits that
// is not ".", "_", "__" or "-…-".
func badSeparatorRun(name string) bool {
	for _, part := range strings.Split(name, "/") {
		run := ""
		for i := 0; i <= len(part); i++ {
			if i < len(part) && isSep(part[i]) {
				run += part[i : i+1]
				continue
			}
			if run != "" && run != "." && run != "_" && run != "__" && strings.Trim(run, "-") != "" {
				return true
			}
			run = ""
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// Policy document limits ECR applies (SetRepositoryPolicy's policyText,
// PutLifecyclePolicy's lifecyclePolicyText).
const (
	RepositoryPolicyMaxLen = 10240
	PolicyField            = "policy"
)

// RepositoryPolicyProblems checks a repository policy before it is sent:
// present, within ECR's length limit, and a JSON object with statements.
func RepositoryPolicyProblems(text string) []string {
	if strings.TrimSpace(text) == "" {
		return []string{"Enter a policy document, or use Delete to remove the policy."}
	}
	if len(text) > RepositoryPolicyMaxLen {
		return []string{fmt.Sprintf("The policy is %d characters; ECR allows at most %d.", len(text), RepositoryPolicyMaxLen)}
	}
	if p := jsonProblem(text); p != "" {
		return []string{p}
	}
	var doc struct {
		Statement json.RawMessage
	}
	if json.Unmarshal([]byte(text), &doc) != nil {
		return []string{"The policy must be a JSON object."}
	}
	if len(doc.Statement) == 0 || string(doc.Statement) == "[]" || string(doc.Statement) == "null" {
		return []string{"Add at least one statement to the policy's \"Statement\" list."}
	}
	return nil
}

// LifecyclePolicyProblems checks a lifecycle policy before it is sent:
// ECR's length limits, JSON syntax, then ECR's lifecycle grammar.
func LifecyclePolicyProblems(text string) []string {
	if strings.TrimSpace(text) == "" {
		return []string{"Enter a lifecycle policy, or use Delete to remove it."}
	}
	if n := len(text); n < awsrules.LifecyclePolicyMinLen || n > awsrules.LifecyclePolicyMaxLen {
		return []string{fmt.Sprintf("The policy is %d characters; ECR needs between %d and %d.", n, awsrules.LifecyclePolicyMinLen, awsrules.LifecyclePolicyMaxLen)}
	}
	if p := jsonProblem(text); p != "" {
		return []string{p}
	}
	if is := awsrules.CheckLifecyclePolicy(text); is != nil {
		return []string{is.Plain}
	}
	return nil
}

// jsonProblem says where a document stops being JSON, by line and column.
func jsonProblem(text string) string {
	var v any
	err := json.Unmarshal([]byte(text), &v)
	if err == nil {
		if _, ok := v.(map[string]any); !ok {
			return "The document must be a JSON object ({ … })."
		}
		return ""
	}
	if se, ok := err.(*json.SyntaxError); ok {
		line, col := 1, 1
		for _, r := range text[:min(int(se.Offset), len(text))] {
			if r == '\n' {
				line, col = line+1, 1
			} else {
				col++
			}
		}
		return fmt.Sprintf("This is not valid JSON: %s (line %d, column %d).", se.Error(), line, col)
	}
	return "This is not valid JSON: " + err.Error() + "."
}

// DeleteRepository is the delete confirmation form.
type DeleteRepository struct {
	Confirm string
	Force   bool
}

// Field names of the delete form.
const (
	DeleteConfirm = "confirm"
	DeleteForce   = "force"
)

// DecodeDeleteRepository reads the delete form.
func DecodeDeleteRepository(v url.Values) DeleteRepository {
	return DeleteRepository{Confirm: Trimmed(v, DeleteConfirm), Force: Bool(v, DeleteForce)}
}

// Validate checks the typed name and, when the repository holds images,
// that the person chose to delete them too.
func (d DeleteRepository) Validate(name string, hasImages bool) Errors {
	var errs Errors
	if d.Confirm != name {
		errs.Add(DeleteConfirm, "Type the repository name exactly to confirm: "+name)
	}
	if hasImages && !d.Force {
		errs.Add(DeleteForce, "This repository still has images. Choose \"Delete the images too\" to delete it with them.")
	}
	return errs
}
