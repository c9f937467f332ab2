package cloud

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
)

// Typed Secrets Manager errors. Every error the secret adapters return for an
// AWS failure wraps one of these and the AWS error itself, so callers test
// with errors.Is and still show AWS's message with ErrorMessage.
var (
	// ErrSecretNotFound: no secret by that name or ARN.
	ErrSecretNotFound = errors.New("secret not found")
	// ErrSecretExists: the name is taken, or the request token names a
	// version that already holds another value.
	ErrSecretExists = errors.New("secret already exists")
	// ErrSecretScheduledForDeletion: the secret (or one with its name) is
	// scheduled for deletion, so it cannot be read or changed until restored.
	ErrSecretScheduledForDeletion = errors.New("secret is scheduled for deletion")
	// ErrSecretPolicy: AWS refused the resource policy.
	ErrSecretPolicy = errors.New("resource policy refused")
	// ErrSecretKMSKey: the encryption key cannot be used.
	ErrSecretKMSKey = errors.New("encryption key refused")
	// ErrSecretInvalid: AWS refused a parameter.
	ErrSecretInvalid = errors.New("invalid secret request")
	// ErrSecretOperationUnsupported: the endpoint does not offer the operation.
	ErrSecretOperationUnsupported = errors.New("operation not supported here")
	// ErrSecretRotationFunction: the rotation Lambda function does not exist
	// or Secrets Manager may not invoke it (always so in local mode, which
	// has no Lambda).
	ErrSecretRotationFunction = errors.New("rotation function not found")
)

// secretErr tags an AWS error with the typed error it means.
func secretErr(err error) error {
	if err == nil {
		return nil
	}
	code := ErrorCode(err)
	msg := strings.ToLower(ErrorMessage(err))
	var kind error
	switch {
	case code == "ResourceNotFoundException" && strings.Contains(msg, "lambda"):
		kind = ErrSecretRotationFunction
	case code == "ResourceNotFoundException":
		kind = ErrSecretNotFound
	case code == "ResourceExistsException":
		kind = ErrSecretExists
	case code == "InvalidRequestException" && (strings.Contains(msg, "deletion") || strings.Contains(msg, "marked deleted")):
		kind = ErrSecretScheduledForDeletion
	case code == "MalformedPolicyDocumentException" || code == "PublicPolicyException":
		kind = ErrSecretPolicy
	case code == "EncryptionFailure" || code == "DecryptionFailure" || strings.HasPrefix(code, "KMS") ||
		strings.Contains(msg, "kms"):
		kind = ErrSecretKMSKey
	case code == "UnknownOperationException":
		kind = ErrSecretOperationUnsupported
	case code == "InvalidParameterException" || code == "ValidationException" || code == "InvalidRequestException":
		kind = ErrSecretInvalid
	default:
		return err
	}
	return fmt.Errorf("%w: %w", kind, err)
}

// SecretTag is a resource tag.
type SecretTag struct {
	Key, Value string
}

// SecretRef names one secret.
type SecretRef struct {
	Name, ARN string
}

// SecretSummary is one row of the secret list.
type SecretSummary struct {
	Name, ARN, Description string
	KMSKeyID               string
	Created, LastChanged   time.Time
	// LastRetrieved is a date (AWS keeps only the day); zero when never.
	LastRetrieved time.Time
	// Deletion is when a secret scheduled for deletion goes; zero otherwise.
	Deletion        time.Time
	RotationEnabled bool
	NextRotation    time.Time
	Tags            []SecretTag
}

// SecretFilter narrows ListSecrets. Each non-empty field becomes one AWS
// filter; AWS matches names, tag keys and tag values by prefix.
type SecretFilter struct {
	Name, Description, TagKey, TagValue string
	// IncludePlannedDeletion lists secrets scheduled for deletion too.
	IncludePlannedDeletion bool
}

// SecretPage is one page of ListSecrets; Next is "" on the last page.
type SecretPage struct {
	Secrets []SecretSummary
	Next    string
}

// SecretListPageSize is the largest page ListSecrets returns.
const SecretListPageSize = 100

// ListSecrets returns one page of secrets, sorted by name. token is the
// previous page's Next ("" for the first page).
func (c *Clients) ListSecrets(ctx context.Context, f SecretFilter, token string, size int) (SecretPage, error) {
	if size <= 0 || size > SecretListPageSize {
		size = SecretListPageSize
	}
	in := &secretsmanager.ListSecretsInput{
		MaxResults: aws.Int32(int32(size)),
		SortBy:     smtypes.SortByTypeName,
		SortOrder:  smtypes.SortOrderTypeAsc,
	}
	if f.IncludePlannedDeletion {
		in.IncludePlannedDeletion = aws.Bool(true)
	}
	if token != "" {
		in.NextToken = aws.String(token)
	}
	add := func(key smtypes.FilterNameStringType, v string) {
		if v != "" {
			in.Filters = append(in.Filters, smtypes.Filter{Key: key, Values: []string{v}})
		}
	}
	add(smtypes.FilterNameStringTypeName, f.Name)
	add(smtypes.FilterNameStringTypeDescription, f.Description)
	add(smtypes.FilterNameStringTypeTagKey, f.TagKey)
	add(smtypes.FilterNameStringTypeTagValue, f.TagValue)
	out, err := c.SecretsManager.ListSecrets(ctx, in)
	if err != nil {
		return SecretPage{}, secretErr(err)
	}
	p := SecretPage{Next: aws.ToString(out.NextToken)}
	for _, e := range out.SecretList {
		p.Secrets = append(p.Secrets, SecretSummary{
			Name: aws.ToString(e.Name), ARN: aws.ToString(e.ARN), Description: aws.ToString(e.Description),
			KMSKeyID: aws.ToString(e.KmsKeyId),
			Created:  aws.ToTime(e.CreatedDate), LastChanged: aws.ToTime(e.LastChangedDate),
			LastRetrieved: aws.ToTime(e.LastAccessedDate), Deletion: aws.ToTime(e.DeletedDate),
			RotationEnabled: aws.ToBool(e.RotationEnabled), NextRotation: aws.ToTime(e.NextRotationDate),
			Tags: fromSMTags(e.Tags),
		})
	}
	return p, nil
}

// Rotation is a secret's rotation configuration.
type Rotation struct {
	Enabled bool
	// LambdaARN is the rotation function.
	LambdaARN string
	// AfterDays rotates every N days; Schedule is a rate() or cron()
	// expression instead. One of the two is set.
	AfterDays int64
	Schedule  string
	// Window is the rotation window ("3h"); "" leaves AWS's default.
	Window string
	// Immediately rotates once as soon as rotation is configured.
	Immediately  bool
	LastRotated  time.Time
	NextRotation time.Time
}

// SecretVersion is one version of a secret, without its value.
type SecretVersion struct {
	ID            string
	Stages        []string
	Created       time.Time
	LastRetrieved time.Time
}

// SecretDetail is everything about a secret except its value.
type SecretDetail struct {
	SecretSummary
	Rotation Rotation
	Versions []SecretVersion
	// MoreVersions says the version list was cut at one page.
	MoreVersions bool
}

// DescribeSecret returns a secret's details and its versions (one page of
// up to 100, newest first).
func (c *Clients) DescribeSecret(ctx context.Context, id string) (SecretDetail, error) {
	out, err := c.SecretsManager.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(id)})
	if err != nil {
		return SecretDetail{}, secretErr(err)
	}
	d := SecretDetail{SecretSummary: SecretSummary{
		Name: aws.ToString(out.Name), ARN: aws.ToString(out.ARN), Description: aws.ToString(out.Description),
		KMSKeyID: aws.ToString(out.KmsKeyId),
		Created:  aws.ToTime(out.CreatedDate), LastChanged: aws.ToTime(out.LastChangedDate),
		LastRetrieved: aws.ToTime(out.LastAccessedDate), Deletion: aws.ToTime(out.DeletedDate),
		RotationEnabled: aws.ToBool(out.RotationEnabled), NextRotation: aws.ToTime(out.NextRotationDate),
		Tags: fromSMTags(out.Tags),
	}}
	d.Rotation = Rotation{
		Enabled: aws.ToBool(out.RotationEnabled), LambdaARN: aws.ToString(out.RotationLambdaARN),
		LastRotated: aws.ToTime(out.LastRotatedDate), NextRotation: aws.ToTime(out.NextRotationDate),
	}
	if r := out.RotationRules; r != nil {
		d.Rotation.AfterDays = aws.ToInt64(r.AutomaticallyAfterDays)
		d.Rotation.Schedule = aws.ToString(r.ScheduleExpression)
		d.Rotation.Window = aws.ToString(r.Duration)
	}
	vs, err := c.SecretsManager.ListSecretVersionIds(ctx, &secretsmanager.ListSecretVersionIdsInput{
		SecretId: aws.String(d.ARN), MaxResults: aws.Int32(100),
	})
	if err != nil {
		// A secret scheduled for deletion still lists its versions in AWS;
		// if it does not here, show the secret without them.
		if !errors.Is(secretErr(err), ErrSecretScheduledForDeletion) {
			return SecretDetail{}, secretErr(err)
		}
	} else {
		for _, v := range vs.Versions {
			d.Versions = append(d.Versions, SecretVersion{
				ID: aws.ToString(v.VersionId), Stages: sortedStages(v.VersionStages),
				Created: aws.ToTime(v.CreatedDate), LastRetrieved: aws.ToTime(v.LastAccessedDate),
			})
		}
		d.MoreVersions = vs.NextToken != nil
	}
	// Newest first, so AWSCURRENT comes before AWSPREVIOUS.
	sort.SliceStable(d.Versions, func(i, j int) bool { return d.Versions[i].Created.After(d.Versions[j].Created) })
	return d, nil
}

// sortedStages puts AWSCURRENT, AWSPENDING and AWSPREVIOUS first, then
// custom labels alphabetically.
func sortedStages(in []string) []string {
	rank := map[string]int{"AWSCURRENT": 0, "AWSPENDING": 1, "AWSPREVIOUS": 2}
	out := append([]string(nil), in...)
	sort.SliceStable(out, func(i, j int) bool {
		ri, iok := rank[out[i]]
		rj, jok := rank[out[j]]
		switch {
		case iok && jok:
			return ri < rj
		case iok != jok:
			return iok
		}
		return out[i] < out[j]
	})
	return out
}

// NewSecret is what CreateSecret stores.
type NewSecret struct {
	Name, Description string
	// KMSKeyID is a key id, ARN or alias; "" means aws/secretsmanager.
	KMSKeyID string
	Value    string
	Tags     []SecretTag
	// Token is the ClientRequestToken (32–64 characters): the same token and
	// value again answer with the same secret instead of a second one.
	Token string
}

// CreateSecret stores a new secret with its first version.
func (c *Clients) CreateSecret(ctx context.Context, s NewSecret) (SecretRef, error) {
	in := &secretsmanager.CreateSecretInput{
		Name:               aws.String(s.Name),
		SecretString:       aws.String(s.Value),
		ClientRequestToken: aws.String(s.Token),
	}
	if s.Description != "" {
		in.Description = aws.String(s.Description)
	}
	if s.KMSKeyID != "" {
		in.KmsKeyId = aws.String(s.KMSKeyID)
	}
	if len(s.Tags) > 0 {
		in.Tags = toSMTags(s.Tags)
	}
	out, err := c.SecretsManager.CreateSecret(ctx, in)
	if err != nil {
		return SecretRef{}, secretErr(err)
	}
	return SecretRef{Name: aws.ToString(out.Name), ARN: aws.ToString(out.ARN)}, nil
}

// PutSecretPolicy attaches a resource policy, refusing one that would make
// the secret public (BlockPublicPolicy), as the console does.
func (c *Clients) PutSecretPolicy(ctx context.Context, id, policy string) error {
	_, err := c.SecretsManager.PutResourcePolicy(ctx, &secretsmanager.PutResourcePolicyInput{
		SecretId: aws.String(id), ResourcePolicy: aws.String(policy), BlockPublicPolicy: aws.Bool(true),
	})
	return secretErr(err)
}

// SecretPolicy returns a secret's resource policy ("" when it has none).
func (c *Clients) SecretPolicy(ctx context.Context, id string) (string, error) {
	out, err := c.SecretsManager.GetResourcePolicy(ctx, &secretsmanager.GetResourcePolicyInput{SecretId: aws.String(id)})
	if err != nil {
		return "", secretErr(err)
	}
	return aws.ToString(out.ResourcePolicy), nil
}

// RotateSecret turns on rotation with the given function and schedule.
// token is the ClientRequestToken of the version a rotation creates.
func (c *Clients) RotateSecret(ctx context.Context, id string, r Rotation, token string) error {
	rules := &smtypes.RotationRulesType{}
	if r.AfterDays > 0 {
		rules.AutomaticallyAfterDays = aws.Int64(r.AfterDays)
	} else {
		rules.ScheduleExpression = aws.String(r.Schedule)
	}
	if r.Window != "" {
		rules.Duration = aws.String(r.Window)
	}
	_, err := c.SecretsManager.RotateSecret(ctx, &secretsmanager.RotateSecretInput{
		SecretId: aws.String(id), RotationLambdaARN: aws.String(r.LambdaARN), RotationRules: rules,
		RotateImmediately: aws.Bool(r.Immediately), ClientRequestToken: aws.String(token),
	})
	return secretErr(err)
}

// SecretValue is one version's value. Callers must never log or persist it.
type SecretValue struct {
	ARN, Name, VersionID string
	Stages               []string
	// String is the SecretString; Binary the SecretBinary (one is set).
	String string
	Binary []byte
}

// GetSecretValue reads the AWSCURRENT value.
func (c *Clients) GetSecretValue(ctx context.Context, id string) (SecretValue, error) {
	out, err := c.SecretsManager.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(id)})
	if err != nil {
		return SecretValue{}, secretErr(err)
	}
	return SecretValue{
		ARN: aws.ToString(out.ARN), Name: aws.ToString(out.Name), VersionID: aws.ToString(out.VersionId),
		Stages: sortedStages(out.VersionStages), String: aws.ToString(out.SecretString), Binary: out.SecretBinary,
	}, nil
}

// PutSecretValue stores a new AWSCURRENT version; the previous current
// version becomes AWSPREVIOUS. The same token and value again are a no-op.
func (c *Clients) PutSecretValue(ctx context.Context, id, value, token string) (arn, versionID string, err error) {
	out, err := c.SecretsManager.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{
		SecretId: aws.String(id), SecretString: aws.String(value), ClientRequestToken: aws.String(token),
	})
	if err != nil {
		return "", "", secretErr(err)
	}
	return aws.ToString(out.ARN), aws.ToString(out.VersionId), nil
}

// SecretUpdate is what UpdateSecret changes; a nil field stays as it is.
type SecretUpdate struct {
	Description *string
	// KMSKeyID "" means aws/secretsmanager.
	KMSKeyID *string
}

// UpdateSecret changes a secret's description and encryption key. Existing
// versions keep the key they were encrypted with; new versions use the new one.
func (c *Clients) UpdateSecret(ctx context.Context, id string, u SecretUpdate) error {
	if u.Description == nil && u.KMSKeyID == nil {
		return nil
	}
	in := &secretsmanager.UpdateSecretInput{SecretId: aws.String(id), Description: u.Description}
	if u.KMSKeyID != nil {
		k := *u.KMSKeyID
		if k == "" {
			k = "alias/aws/secretsmanager"
		}
		in.KmsKeyId = aws.String(k)
	}
	_, err := c.SecretsManager.UpdateSecret(ctx, in)
	return secretErr(err)
}

// SetSecretTags makes a secret's tags exactly want: keys no longer wanted
// are removed, the rest added or updated.
func (c *Clients) SetSecretTags(ctx context.Context, id string, have, want []SecretTag) error {
	keep := map[string]bool{}
	for _, t := range want {
		keep[t.Key] = true
	}
	var remove []string
	for _, t := range have {
		if !keep[t.Key] {
			remove = append(remove, t.Key)
		}
	}
	if len(remove) > 0 {
		if _, err := c.SecretsManager.UntagResource(ctx, &secretsmanager.UntagResourceInput{SecretId: aws.String(id), TagKeys: remove}); err != nil {
			return secretErr(err)
		}
	}
	if len(want) > 0 {
		if _, err := c.SecretsManager.TagResource(ctx, &secretsmanager.TagResourceInput{SecretId: aws.String(id), Tags: toSMTags(want)}); err != nil {
			return secretErr(err)
		}
	}
	return nil
}

// DeleteSecret schedules a secret's deletion after days (7–30), or deletes
// it at once without recovery when force is set. It returns when the
// secret goes.
func (c *Clients) DeleteSecret(ctx context.Context, id string, days int64, force bool) (time.Time, error) {
	in := &secretsmanager.DeleteSecretInput{SecretId: aws.String(id)}
	if force {
		in.ForceDeleteWithoutRecovery = aws.Bool(true)
	} else {
		in.RecoveryWindowInDays = aws.Int64(days)
	}
	out, err := c.SecretsManager.DeleteSecret(ctx, in)
	if err != nil {
		return time.Time{}, secretErr(err)
	}
	return aws.ToTime(out.DeletionDate), nil
}

// RestoreSecret cancels a scheduled deletion.
func (c *Clients) RestoreSecret(ctx context.Context, id string) (arn string, err error) {
	out, err := c.SecretsManager.RestoreSecret(ctx, &secretsmanager.RestoreSecretInput{SecretId: aws.String(id)})
	if err != nil {
		return "", secretErr(err)
	}
	return aws.ToString(out.ARN), nil
}

// PasswordOptions are GetRandomPassword's options; zero values are AWS's
// defaults except Length, where 0 means 32.
type PasswordOptions struct {
	Length                                                                 int64
	ExcludeCharacters                                                      string
	ExcludeNumbers, ExcludePunctuation, ExcludeUppercase, ExcludeLowercase bool
	IncludeSpace                                                           bool
	// RequireEachIncludedType defaults to true in AWS; Berth always sends it.
	RequireEachIncludedType bool
}

// RandomPassword asks Secrets Manager for a random password.
func (c *Clients) RandomPassword(ctx context.Context, o PasswordOptions) (string, error) {
	in := &secretsmanager.GetRandomPasswordInput{
		ExcludeNumbers: aws.Bool(o.ExcludeNumbers), ExcludePunctuation: aws.Bool(o.ExcludePunctuation),
		ExcludeUppercase: aws.Bool(o.ExcludeUppercase), ExcludeLowercase: aws.Bool(o.ExcludeLowercase),
		IncludeSpace: aws.Bool(o.IncludeSpace), RequireEachIncludedType: aws.Bool(o.RequireEachIncludedType),
	}
	if o.Length > 0 {
		in.PasswordLength = aws.Int64(o.Length)
	}
	if o.ExcludeCharacters != "" {
		in.ExcludeCharacters = aws.String(o.ExcludeCharacters)
	}
	out, err := c.SecretsManager.GetRandomPassword(ctx, in)
	if err != nil {
		return "", secretErr(err)
	}
	return aws.ToString(out.RandomPassword), nil
}

// SecretKMSKey is a customer managed KMS key offered by the encryption key picker.
type SecretKMSKey struct {
	// Alias is "alias/name"; KeyID the key it points at.
	Alias, KeyID, ARN string
}

// secretKMSAliasPages bounds the picker: at most this many ListAliases pages.
const secretKMSAliasPages = 5

// KMSKeyChoices lists the customer managed keys that have an alias, for the
// encryption key picker (AWS managed aliases such as aws/secretsmanager are
// left out: the picker offers that one as its default). At most five pages
// of 100 are read; more says there are others, which the person can still
// type. Keys without an alias are typed by id or ARN.
func (c *Clients) KMSKeyChoices(ctx context.Context) (keys []SecretKMSKey, more bool, err error) {
	var marker *string
	for range secretKMSAliasPages {
		out, err := c.KMS.ListAliases(ctx, &kms.ListAliasesInput{Limit: aws.Int32(100), Marker: marker})
		if err != nil {
			return nil, false, err
		}
		for _, a := range out.Aliases {
			name := aws.ToString(a.AliasName)
			if strings.HasPrefix(name, "alias/aws/") || a.TargetKeyId == nil {
				continue
			}
			keys = append(keys, SecretKMSKey{Alias: name, KeyID: aws.ToString(a.TargetKeyId), ARN: aws.ToString(a.AliasArn)})
		}
		if !out.Truncated || out.NextMarker == nil {
			return keys, false, nil
		}
		marker = out.NextMarker
	}
	return keys, true, nil
}

func toSMTags(tags []SecretTag) []smtypes.Tag {
	out := make([]smtypes.Tag, 0, len(tags))
	for _, t := range tags {
		out = append(out, smtypes.Tag{Key: aws.String(t.Key), Value: aws.String(t.Value)})
	}
	return out
}

func fromSMTags(tags []smtypes.Tag) []SecretTag {
	var out []SecretTag
	for _, t := range tags {
		out = append(out, SecretTag{Key: aws.ToString(t.Key), Value: aws.ToString(t.Value)})
	}
	return out
}
