package cloud

import (
	"context"
	"errors"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/smithy-go"
)

// ECR adapter: Berth's own repository and image types, and typed errors the
// web layer maps to form fields. Every list is one AWS page per call so a
// page of Berth costs a fixed number of AWS calls however large the account.

// Repository is an ECR private repository and its settings.
type Repository struct {
	Name       string
	URI        string
	ARN        string
	RegistryID string
	CreatedAt  time.Time
	// TagMutability is MUTABLE, IMMUTABLE, IMMUTABLE_WITH_EXCLUSION or MUTABLE_WITH_EXCLUSION.
	TagMutability string
	// ExclusionFilters are the WILDCARD filters of the *_WITH_EXCLUSION settings.
	ExclusionFilters []string
	ScanOnPush       bool
	// EncryptionType is AES256, KMS or KMS_DSSE; KMSKey is the key ECR reports.
	EncryptionType string
	KMSKey         string
}

// Registry is the host part of the repository URI (<account>.dkr.ecr.<region>.amazonaws.com).
func (r Repository) Registry() string {
	host, _, _ := strings.Cut(r.URI, "/")
	return host
}

// Tag is one resource tag.
type Tag struct {
	Key, Value string
}

// NewRepository is what CreateRepository needs.
type NewRepository struct {
	Name             string
	TagMutability    string
	ExclusionFilters []string
	ScanOnPush       bool
	EncryptionType   string
	// KMSKey is empty for the AWS managed key aws/ecr.
	KMSKey string
	Tags   []Tag
}

// RepositoryPage is one DescribeRepositories page; NextToken is empty on the last.
type RepositoryPage struct {
	Repositories []Repository
	NextToken    string
}

// Image is one image (manifest) of a repository.
type Image struct {
	Digest            string
	Tags              []string
	SizeBytes         int64
	PushedAt          time.Time
	LastPull          time.Time // zero when never pulled (or not recorded)
	ScanStatus        string    // "" when the image has not been scanned
	ScanDescription   string
	ManifestMediaType string
	ArtifactMediaType string
}

// ImagePage is one DescribeImages page.
type ImagePage struct {
	Images    []Image
	NextToken string
}

// Image tag filters for DescribeImages.
const (
	ImagesAll      = ""
	ImagesTagged   = "TAGGED"
	ImagesUntagged = "UNTAGGED"
)

// Typed ECR failures. An *ECRError wraps one of them (when Berth gives the
// code a meaning) together with AWS's own error, so errors.Is works for the
// kind and ErrorCode/ErrorMessage still see AWS's code and text.
var (
	ErrRepositoryExists         = errors.New("repository already exists")
	ErrRepositoryNotFound       = errors.New("repository not found")
	ErrRepositoryNotEmpty       = errors.New("repository still contains images")
	ErrRepositoryPolicyNotFound = errors.New("repository has no policy")
	ErrLifecyclePolicyNotFound  = errors.New("repository has no lifecycle policy")
	ErrImageNotFound            = errors.New("image not found")
	ErrKMS                      = errors.New("KMS refused the key")
	ErrInvalidParameter         = errors.New("invalid parameter")
	ErrInvalidTags              = errors.New("invalid tags")
)

// ECRError is an ECR failure with the request parameter AWS blamed, if any.
type ECRError struct {
	// Kind is one of the Err* values above, or nil.
	Kind error
	// Code and Message are AWS's.
	Code, Message string
	// Parameter is the parameter an InvalidParameterException names
	// ("repositoryName", "PolicyText", "encryptionConfiguration.kmsKey"…).
	Parameter string
	err       error
}

func (e *ECRError) Error() string { return e.Code + ": " + e.Message }

// ErrorCode, ErrorMessage and ErrorFault make an *ECRError an AWS API error
// in its own right, so ErrorCode and ErrorMessage read it directly.
func (e *ECRError) ErrorCode() string { return e.Code }

// ErrorMessage is AWS's message.
func (e *ECRError) ErrorMessage() string { return e.Message }

// ErrorFault says whose fault it was; ECR's modelled errors are the client's.
func (e *ECRError) ErrorFault() smithy.ErrorFault { return smithy.FaultClient }

// Unwrap exposes both the kind and AWS's error.
func (e *ECRError) Unwrap() []error {
	var out []error
	for _, err := range []error{e.Kind, e.err} {
		if err != nil {
			out = append(out, err)
		}
	}
	return out
}

var ecrKinds = map[string]error{
	"RepositoryAlreadyExistsException":  ErrRepositoryExists,
	"RepositoryNotFoundException":       ErrRepositoryNotFound,
	"RepositoryNotEmptyException":       ErrRepositoryNotEmpty,
	"RepositoryPolicyNotFoundException": ErrRepositoryPolicyNotFound,
	"LifecyclePolicyNotFoundException":  ErrLifecyclePolicyNotFound,
	"ImageNotFoundException":            ErrImageNotFound,
	"KmsException":                      ErrKMS,
	"InvalidParameterException":         ErrInvalidParameter,
	"InvalidTagParameterException":      ErrInvalidTags,
	"TooManyTagsException":              ErrInvalidTags,
}

var invalidParamRE = regexp.MustCompile(`Invalid parameter at '([^']+)'`)

// ecrError classifies an SDK error; errors that are not AWS's (network,
// credentials) pass through unchanged.
func ecrError(err error) error {
	if err == nil {
		return nil
	}
	code := ErrorCode(err)
	if code == "" {
		return err
	}
	e := &ECRError{Kind: ecrKinds[code], Code: code, Message: ErrorMessage(err), err: err}
	if m := invalidParamRE.FindStringSubmatch(e.Message); m != nil {
		e.Parameter = m[1]
	}
	return e
}

// ECRErrorParameter returns the parameter an ECR error blamed ("" when none).
func ECRErrorParameter(err error) string {
	var e *ECRError
	if errors.As(err, &e) {
		return e.Parameter
	}
	return ""
}

func repositoryFrom(r ecrtypes.Repository) Repository {
	out := Repository{
		Name:          aws.ToString(r.RepositoryName),
		URI:           aws.ToString(r.RepositoryUri),
		ARN:           aws.ToString(r.RepositoryArn),
		RegistryID:    aws.ToString(r.RegistryId),
		CreatedAt:     aws.ToTime(r.CreatedAt),
		TagMutability: string(r.ImageTagMutability),
	}
	for _, f := range r.ImageTagMutabilityExclusionFilters {
		out.ExclusionFilters = append(out.ExclusionFilters, aws.ToString(f.Filter))
	}
	if r.ImageScanningConfiguration != nil {
		out.ScanOnPush = r.ImageScanningConfiguration.ScanOnPush
	}
	if r.EncryptionConfiguration != nil {
		out.EncryptionType = string(r.EncryptionConfiguration.EncryptionType)
		out.KMSKey = aws.ToString(r.EncryptionConfiguration.KmsKey)
	}
	if out.TagMutability == "" {
		out.TagMutability = string(ecrtypes.ImageTagMutabilityMutable)
	}
	if out.EncryptionType == "" {
		out.EncryptionType = string(ecrtypes.EncryptionTypeAes256)
	}
	return out
}

func exclusionFilters(filters []string) []ecrtypes.ImageTagMutabilityExclusionFilter {
	if len(filters) == 0 {
		return nil
	}
	out := make([]ecrtypes.ImageTagMutabilityExclusionFilter, len(filters))
	for i, f := range filters {
		out[i] = ecrtypes.ImageTagMutabilityExclusionFilter{
			FilterType: ecrtypes.ImageTagMutabilityExclusionFilterTypeWildcard, Filter: aws.String(f),
		}
	}
	return out
}

// CreateRepository creates a private repository.
func (c *Clients) CreateRepository(ctx context.Context, in NewRepository) (Repository, error) {
	req := &ecr.CreateRepositoryInput{
		RepositoryName:                     aws.String(in.Name),
		ImageTagMutability:                 ecrtypes.ImageTagMutability(in.TagMutability),
		ImageTagMutabilityExclusionFilters: exclusionFilters(in.ExclusionFilters),
		ImageScanningConfiguration:         &ecrtypes.ImageScanningConfiguration{ScanOnPush: in.ScanOnPush},
	}
	if in.EncryptionType != "" {
		req.EncryptionConfiguration = &ecrtypes.EncryptionConfiguration{EncryptionType: ecrtypes.EncryptionType(in.EncryptionType)}
		if in.KMSKey != "" {
			req.EncryptionConfiguration.KmsKey = aws.String(in.KMSKey)
		}
	}
	for _, t := range in.Tags {
		req.Tags = append(req.Tags, ecrtypes.Tag{Key: aws.String(t.Key), Value: aws.String(t.Value)})
	}
	out, err := c.ECR.CreateRepository(ctx, req)
	if err != nil {
		return Repository{}, ecrError(err)
	}
	return repositoryFrom(*out.Repository), nil
}

// ListRepositories returns one DescribeRepositories page of up to max
// repositories (AWS allows 1,000), starting at token.
func (c *Clients) ListRepositories(ctx context.Context, token string, max int) (RepositoryPage, error) {
	in := &ecr.DescribeRepositoriesInput{MaxResults: aws.Int32(int32(max))}
	if token != "" {
		in.NextToken = aws.String(token)
	}
	out, err := c.ECR.DescribeRepositories(ctx, in)
	if err != nil {
		return RepositoryPage{}, ecrError(err)
	}
	p := RepositoryPage{NextToken: aws.ToString(out.NextToken), Repositories: make([]Repository, 0, len(out.Repositories))}
	for _, r := range out.Repositories {
		p.Repositories = append(p.Repositories, repositoryFrom(r))
	}
	return p, nil
}

// Repository describes one repository by name.
func (c *Clients) Repository(ctx context.Context, name string) (Repository, error) {
	out, err := c.ECR.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{name}})
	if err != nil {
		return Repository{}, ecrError(err)
	}
	if len(out.Repositories) == 0 {
		return Repository{}, &ECRError{Kind: ErrRepositoryNotFound, Code: "RepositoryNotFoundException",
			Message: "The repository with name '" + name + "' does not exist", err: ErrRepositoryNotFound}
	}
	return repositoryFrom(out.Repositories[0]), nil
}

// RepositoryTags lists a repository's resource tags, sorted by key.
func (c *Clients) RepositoryTags(ctx context.Context, arn string) ([]Tag, error) {
	out, err := c.ECR.ListTagsForResource(ctx, &ecr.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	if err != nil {
		return nil, ecrError(err)
	}
	tags := make([]Tag, 0, len(out.Tags))
	for _, t := range out.Tags {
		tags = append(tags, Tag{Key: aws.ToString(t.Key), Value: aws.ToString(t.Value)})
	}
	sort.Slice(tags, func(i, j int) bool { return tags[i].Key < tags[j].Key })
	return tags, nil
}

// UpdateRepositorySettings changes tag immutability (with its exclusion
// filters) and scan on push, calling AWS only for what changed.
func (c *Clients) UpdateRepositorySettings(ctx context.Context, old Repository, mutability string, filters []string, scanOnPush bool) error {
	if mutability != old.TagMutability || !equalStrings(filters, old.ExclusionFilters) {
		_, err := c.ECR.PutImageTagMutability(ctx, &ecr.PutImageTagMutabilityInput{
			RepositoryName:                     aws.String(old.Name),
			ImageTagMutability:                 ecrtypes.ImageTagMutability(mutability),
			ImageTagMutabilityExclusionFilters: exclusionFilters(filters),
		})
		if err != nil {
			return ecrError(err)
		}
	}
	if scanOnPush != old.ScanOnPush {
		_, err := c.ECR.PutImageScanningConfiguration(ctx, &ecr.PutImageScanningConfigurationInput{
			RepositoryName:             aws.String(old.Name),
			ImageScanningConfiguration: &ecrtypes.ImageScanningConfiguration{ScanOnPush: scanOnPush},
		})
		if err != nil {
			return ecrError(err)
		}
	}
	return nil
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// DeleteRepository deletes a repository; force deletes its images too.
func (c *Clients) DeleteRepository(ctx context.Context, name string, force bool) error {
	_, err := c.ECR.DeleteRepository(ctx, &ecr.DeleteRepositoryInput{RepositoryName: aws.String(name), Force: force})
	return ecrError(err)
}

// Images returns one DescribeImages page of a repository; filter is
// ImagesAll, ImagesTagged or ImagesUntagged.
func (c *Clients) Images(ctx context.Context, repo, filter, token string, max int) (ImagePage, error) {
	in := &ecr.DescribeImagesInput{RepositoryName: aws.String(repo), MaxResults: aws.Int32(int32(max))}
	if filter != "" {
		in.Filter = &ecrtypes.DescribeImagesFilter{TagStatus: ecrtypes.TagStatus(filter)}
	}
	if token != "" {
		in.NextToken = aws.String(token)
	}
	out, err := c.ECR.DescribeImages(ctx, in)
	if err != nil {
		return ImagePage{}, ecrError(err)
	}
	p := ImagePage{NextToken: aws.ToString(out.NextToken), Images: make([]Image, 0, len(out.ImageDetails))}
	for _, d := range out.ImageDetails {
		p.Images = append(p.Images, imageFrom(d))
	}
	return p, nil
}

// Image describes one image by digest.
func (c *Clients) Image(ctx context.Context, repo, digest string) (Image, error) {
	out, err := c.ECR.DescribeImages(ctx, &ecr.DescribeImagesInput{
		RepositoryName: aws.String(repo), ImageIds: []ecrtypes.ImageIdentifier{{ImageDigest: aws.String(digest)}},
	})
	if err != nil {
		return Image{}, ecrError(err)
	}
	if len(out.ImageDetails) == 0 {
		return Image{}, &ECRError{Kind: ErrImageNotFound, Code: "ImageNotFoundException", Message: "The image " + digest + " does not exist", err: ErrImageNotFound}
	}
	return imageFrom(out.ImageDetails[0]), nil
}

func imageFrom(d ecrtypes.ImageDetail) Image {
	img := Image{
		Digest:            aws.ToString(d.ImageDigest),
		Tags:              d.ImageTags,
		SizeBytes:         aws.ToInt64(d.ImageSizeInBytes),
		PushedAt:          aws.ToTime(d.ImagePushedAt),
		LastPull:          aws.ToTime(d.LastRecordedPullTime),
		ManifestMediaType: aws.ToString(d.ImageManifestMediaType),
		ArtifactMediaType: aws.ToString(d.ArtifactMediaType),
	}
	if d.ImageScanStatus != nil {
		img.ScanStatus = string(d.ImageScanStatus.Status)
		img.ScanDescription = aws.ToString(d.ImageScanStatus.Description)
	}
	return img
}

// DeleteImage removes a tag (tag != "") or a whole image by digest, with all
// its tags. ECR reports per-image failures inside a successful answer; they
// come back as an *ECRError.
func (c *Clients) DeleteImage(ctx context.Context, repo, digest, tag string) error {
	id := ecrtypes.ImageIdentifier{}
	if tag != "" {
		id.ImageTag = aws.String(tag)
	} else {
		id.ImageDigest = aws.String(digest)
	}
	out, err := c.ECR.BatchDeleteImage(ctx, &ecr.BatchDeleteImageInput{RepositoryName: aws.String(repo), ImageIds: []ecrtypes.ImageIdentifier{id}})
	if err != nil {
		return ecrError(err)
	}
	if len(out.Failures) > 0 {
		f := out.Failures[0]
		code := string(f.FailureCode)
		e := &ECRError{Code: code, Message: aws.ToString(f.FailureReason)}
		if code == string(ecrtypes.ImageFailureCodeImageNotFound) || code == string(ecrtypes.ImageFailureCodeImageTagDoesNotMatchDigest) {
			e.Kind = ErrImageNotFound
		}
		e.err = errors.New(e.Message)
		return e
	}
	return nil
}

// PutImage stores a manifest under a tag (tag may be empty) and returns the
// image's digest. Berth uses it to add a tag to an existing image; tests use
// it to create images with real manifests.
func (c *Clients) PutImage(ctx context.Context, repo, tag, manifest, mediaType string) (string, error) {
	in := &ecr.PutImageInput{RepositoryName: aws.String(repo), ImageManifest: aws.String(manifest)}
	if tag != "" {
		in.ImageTag = aws.String(tag)
	}
	if mediaType != "" {
		in.ImageManifestMediaType = aws.String(mediaType)
	}
	out, err := c.ECR.PutImage(ctx, in)
	if err != nil {
		return "", ecrError(err)
	}
	return aws.ToString(out.Image.ImageId.ImageDigest), nil
}

// RepositoryPolicy returns the repository policy, "" when there is none.
func (c *Clients) RepositoryPolicy(ctx context.Context, repo string) (string, error) {
	out, err := c.ECR.GetRepositoryPolicy(ctx, &ecr.GetRepositoryPolicyInput{RepositoryName: aws.String(repo)})
	if err != nil {
		err = ecrError(err)
		if errors.Is(err, ErrRepositoryPolicyNotFound) {
			return "", nil
		}
		return "", err
	}
	return aws.ToString(out.PolicyText), nil
}

// SetRepositoryPolicy replaces the repository policy.
func (c *Clients) SetRepositoryPolicy(ctx context.Context, repo, text string) error {
	_, err := c.ECR.SetRepositoryPolicy(ctx, &ecr.SetRepositoryPolicyInput{RepositoryName: aws.String(repo), PolicyText: aws.String(text)})
	return ecrError(err)
}

// DeleteRepositoryPolicy removes the repository policy.
func (c *Clients) DeleteRepositoryPolicy(ctx context.Context, repo string) error {
	_, err := c.ECR.DeleteRepositoryPolicy(ctx, &ecr.DeleteRepositoryPolicyInput{RepositoryName: aws.String(repo)})
	return ecrError(err)
}

// LifecyclePolicy returns the lifecycle policy, "" when there is none.
func (c *Clients) LifecyclePolicy(ctx context.Context, repo string) (string, error) {
	out, err := c.ECR.GetLifecyclePolicy(ctx, &ecr.GetLifecyclePolicyInput{RepositoryName: aws.String(repo)})
	if err != nil {
		err = ecrError(err)
		if errors.Is(err, ErrLifecyclePolicyNotFound) {
			return "", nil
		}
		return "", err
	}
	return aws.ToString(out.LifecyclePolicyText), nil
}

// PutLifecyclePolicy replaces the lifecycle policy.
func (c *Clients) PutLifecyclePolicy(ctx context.Context, repo, text string) error {
	_, err := c.ECR.PutLifecyclePolicy(ctx, &ecr.PutLifecyclePolicyInput{RepositoryName: aws.String(repo), LifecyclePolicyText: aws.String(text)})
	return ecrError(err)
}

// DeleteLifecyclePolicy removes the lifecycle policy.
func (c *Clients) DeleteLifecyclePolicy(ctx context.Context, repo string) error {
	_, err := c.ECR.DeleteLifecyclePolicy(ctx, &ecr.DeleteLifecyclePolicyInput{RepositoryName: aws.String(repo)})
	return ecrError(err)
}

// KMSKey is one choice of the repository form's key picker.
type KMSKey struct {
	// Label is the alias name (without "alias/") or the key id.
	Label string
	// ARN is the key's ARN, what the repository is created with.
	ARN string
}

// kmsAliasPages bounds the picker: 10 pages of 100 aliases; past that the
// form's free-text key field is the way in.
const kmsAliasPages = 10

// KMSKeys lists the customer managed keys a repository can be encrypted
// with: aliased keys by alias, then unaliased keys by id. AWS managed keys
// of other services are left out (only their own service may use them);
// aws/ecr is the form's default and needs no entry. more reports that the
// lists were cut short.
func (c *Clients) KMSKeys(ctx context.Context) (keys []KMSKey, more bool, err error) {
	aliased := map[string]bool{}
	var marker *string
	for page := 0; ; page++ {
		if page == kmsAliasPages {
			more = true
			break
		}
		out, err := c.KMS.ListAliases(ctx, &kms.ListAliasesInput{Limit: aws.Int32(100), Marker: marker})
		if err != nil {
			return nil, false, err
		}
		for _, a := range out.Aliases {
			name, target := aws.ToString(a.AliasName), aws.ToString(a.TargetKeyId)
			if target == "" {
				continue
			}
			aliased[target] = true
			if strings.HasPrefix(name, "alias/aws/") {
				continue
			}
			// alias ARN arn:aws:kms:<region>:<account>:alias/<name> -> key ARN.
			arn := aws.ToString(a.AliasArn)
			if i := strings.Index(arn, ":alias/"); i >= 0 {
				arn = arn[:i] + ":key/" + target
			}
			keys = append(keys, KMSKey{Label: strings.TrimPrefix(name, "alias/"), ARN: arn})
		}
		if !out.Truncated || out.NextMarker == nil {
			break
		}
		marker = out.NextMarker
	}
	out, err := c.KMS.ListKeys(ctx, &kms.ListKeysInput{Limit: aws.Int32(1000)})
	if err != nil {
		return nil, false, err
	}
	if out.Truncated {
		more = true
	}
	for _, k := range out.Keys {
		if !aliased[aws.ToString(k.KeyId)] {
			keys = append(keys, KMSKey{Label: aws.ToString(k.KeyId), ARN: aws.ToString(k.KeyArn)})
		}
	}
	return keys, more, nil
}
