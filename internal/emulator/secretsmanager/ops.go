package secretsmanager

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/berthhq/berth/internal/awsrules"
	"github.com/berthhq/berth/internal/emulator/awsapi"
	"github.com/berthhq/berth/internal/emulator/state"
)

type nameARN struct {
	ARN  string `json:"ARN"`
	Name string `json:"Name"`
}

// ---- CreateSecret

type createSecretInput struct {
	Name               *string
	ClientRequestToken *string
	Description        *string
	KmsKeyId           *string
	SecretBinary       []byte
	SecretString       *string
	Tags               []tag
}

type createSecretOutput struct {
	ARN       string  `json:"ARN"`
	Name      string  `json:"Name"`
	VersionId *string `json:"VersionId,omitempty"`
}

func (sv *service) createSecret(c *awsapi.Context, in *createSecretInput) (*createSecretOutput, error) {
	if in.Name == nil {
		return nil, missing("name")
	}
	if err := checkLen("name", in.Name, 1, awsrules.SecretNameMaxLength, true); err != nil {
		return nil, err
	}
	if !awsrules.SecretNamePattern.MatchString(*in.Name) {
		return nil, awsapi.NewError("ValidationException", msgInvalidName)
	}
	if err := checkToken(in.ClientRequestToken); err != nil {
		return nil, err
	}
	if err := checkLen("description", in.Description, 0, awsrules.SecretDescriptionMaxLength, true); err != nil {
		return nil, err
	}
	if err := checkLen("kmsKeyId", in.KmsKeyId, 0, awsrules.SecretKmsKeyIDMaxLength, true); err != nil {
		return nil, err
	}
	val, err := checkValue(in.SecretString, in.SecretBinary)
	if err != nil {
		return nil, err
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	if val.present() && in.ClientRequestToken == nil {
		return nil, awsapi.NewError("InvalidRequestException", msgNoToken)
	}
	// A named key is checked even without a value; the default key is only
	// needed (and created) once there is a value to encrypt.
	if nonEmpty(in.KmsKeyId) != nil || val.present() {
		if err := sv.checkKey(c, in.KmsKeyId); err != nil {
			return nil, err
		}
	}
	var out *createSecretOutput
	err = sv.db.Write(c, func(tx *state.Tx) error {
		if err := sv.purgeExpired(c, tx); err != nil {
			return err
		}
		existing, err := sv.find(c, tx, *in.Name)
		if err == nil {
			if existing.deleted != nil {
				return awsapi.NewError("InvalidRequestException", msgScheduledCreate)
			}
			// A retry with the same token and the same value is the same
			// request: answer it again without a new version.
			if in.ClientRequestToken != nil && val.present() {
				if err := sv.loadVersions(c, tx, existing); err != nil {
					return err
				}
				if v := existing.version(*in.ClientRequestToken); v != nil {
					if !v.val.equal(val) {
						return awsapi.NewError("ResourceExistsException", msgModifyVersion)
					}
					out = &createSecretOutput{ARN: existing.arn, Name: existing.name, VersionId: &v.id}
					return nil
				}
			}
			return awsapi.Errorf("ResourceExistsException", "The operation failed because the secret %s already exists.", *in.Name)
		}
		var ae *awsapi.Error
		if !errors.As(err, &ae) {
			return err
		}
		now := sv.now().UnixMilli()
		s := &secret{
			name:        *in.Name,
			arn:         c.ARN("secretsmanager", "secret:"+*in.Name+"-"+randomSuffix()),
			description: nonEmpty(in.Description),
			kmsKeyID:    nonEmpty(in.KmsKeyId),
			created:     now,
			changed:     now,
		}
		if in.Tags != nil {
			s.tags = dedupeTags(nil, in.Tags)
		}
		out = &createSecretOutput{ARN: s.arn, Name: s.name}
		if val.present() {
			v := &version{id: *in.ClientRequestToken, created: now, val: val}
			s.addVersion(v, []string{awsrules.StageCurrent})
			out.VersionId = &v.id
		}
		if err := sv.save(c, tx, s); err != nil {
			return err
		}
		return sv.saveTags(c, tx, s)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func nonEmpty(p *string) *string {
	if p == nil || *p == "" {
		return nil
	}
	return p
}

// dedupeTags merges add into tags: an existing key takes the new value in
// place, a new key is appended.
func dedupeTags(tags, add []tag) []tag {
	out := append([]tag{}, tags...)
	for _, t := range add {
		replaced := false
		for i := range out {
			if deref(out[i].Key) == deref(t.Key) {
				out[i].Value = t.Value
				replaced = true
			}
		}
		if !replaced {
			out = append(out, t)
		}
	}
	return out
}

// ---- DescribeSecret

type secretIDInput struct {
	SecretId *string
}

type describeSecretOutput struct {
	ARN                    string              `json:"ARN"`
	Name                   string              `json:"Name"`
	Description            *string             `json:"Description,omitempty"`
	KmsKeyId               *string             `json:"KmsKeyId,omitempty"`
	CreatedDate            awsapi.Time         `json:"CreatedDate"`
	LastChangedDate        *awsapi.Time        `json:"LastChangedDate,omitempty"`
	LastAccessedDate       *awsapi.Time        `json:"LastAccessedDate,omitempty"`
	DeletedDate            *awsapi.Time        `json:"DeletedDate,omitempty"`
	Tags                   *[]tag              `json:"Tags,omitempty"`
	VersionIdsToStages     map[string][]string `json:"VersionIdsToStages,omitempty"`
	SecretVersionsToStages map[string][]string `json:"SecretVersionsToStages,omitempty"`
}

func describe(s *secret, stages map[string][]string) *describeSecretOutput {
	out := &describeSecretOutput{
		ARN:              s.arn,
		Name:             s.name,
		Description:      nonEmpty(s.description),
		KmsKeyId:         nonEmpty(s.kmsKeyID),
		CreatedDate:      ts(s.created),
		LastChangedDate:  tsPtr(&s.changed),
		LastAccessedDate: tsPtr(s.accessed),
		DeletedDate:      tsPtr(s.deleted),
	}
	if s.tags != nil {
		t := s.tags
		out.Tags = &t
	}
	if len(stages) > 0 {
		out.VersionIdsToStages = stages
	}
	return out
}

func (sv *service) describeSecret(c *awsapi.Context, in *secretIDInput) (*describeSecretOutput, error) {
	if err := checkSecretID(in.SecretId); err != nil {
		return nil, err
	}
	q := sv.db.Read()
	s, err := sv.find(c, q, *in.SecretId)
	if err != nil {
		return nil, err
	}
	if err := sv.loadVersions(c, q, s); err != nil {
		return nil, err
	}
	return describe(s, s.stagesMap()), nil
}

// ---- GetSecretValue

type getSecretValueInput struct {
	SecretId     *string
	VersionId    *string
	VersionStage *string
}

type getSecretValueOutput struct {
	ARN           string      `json:"ARN"`
	Name          string      `json:"Name"`
	VersionId     string      `json:"VersionId"`
	SecretBinary  []byte      `json:"SecretBinary,omitempty"`
	SecretString  *string     `json:"SecretString,omitempty"`
	VersionStages []string    `json:"VersionStages"`
	CreatedDate   awsapi.Time `json:"CreatedDate"`
}

func (sv *service) getSecretValue(c *awsapi.Context, in *getSecretValueInput) (*getSecretValueOutput, error) {
	if err := checkSecretID(in.SecretId); err != nil {
		return nil, err
	}
	if err := checkVersionID("versionId", in.VersionId); err != nil {
		return nil, err
	}
	if err := checkLen("versionStage", in.VersionStage, 1, awsrules.SecretVersionStageMaxLength, true); err != nil {
		return nil, err
	}
	var out *getSecretValueOutput
	err := sv.db.Write(c, func(tx *state.Tx) error {
		s, err := sv.findLive(c, tx, *in.SecretId)
		if err != nil {
			return err
		}
		var v *version
		if in.VersionId != nil {
			if v = s.version(*in.VersionId); v == nil {
				return awsapi.Errorf("ResourceNotFoundException", "Secrets Manager can't find the specified secret value for VersionId: %s", *in.VersionId)
			}
			if in.VersionStage != nil && !v.has(*in.VersionStage) {
				return awsapi.NewError("InvalidRequestException", msgStageMismatch)
			}
		} else {
			stage := awsrules.StageCurrent
			if in.VersionStage != nil {
				stage = *in.VersionStage
			}
			if v = s.withStage(stage); v == nil {
				return awsapi.Errorf("ResourceNotFoundException", "Secrets Manager can't find the specified secret value for staging label: %s", stage)
			}
		}
		today := day(sv.now().UnixMilli())
		if s.accessed == nil || *s.accessed != today {
			s.accessed = &today
			if _, err := tx.ExecContext(c, `UPDATE sm_secrets SET accessed_at = ? WHERE id = ?`, today, s.id); err != nil {
				return err
			}
		}
		if v.accessed == nil || *v.accessed != today {
			if _, err := tx.ExecContext(c, `UPDATE sm_versions SET accessed_at = ? WHERE secret_id = ? AND version_id = ?`, today, s.id, v.id); err != nil {
				return err
			}
		}
		out = &getSecretValueOutput{
			ARN: s.arn, Name: s.name, VersionId: v.id,
			SecretString: v.val.str, SecretBinary: v.val.bin,
			VersionStages: v.stages, CreatedDate: ts(v.created),
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ---- PutSecretValue

type putSecretValueInput struct {
	SecretId           *string
	ClientRequestToken *string
	SecretBinary       []byte
	SecretString       *string
	VersionStages      []string
}

type putSecretValueOutput struct {
	ARN           string   `json:"ARN"`
	Name          string   `json:"Name"`
	VersionId     string   `json:"VersionId"`
	VersionStages []string `json:"VersionStages"`
}

func checkStages(stages []string) error {
	if stages == nil {
		return nil
	}
	if len(stages) < 1 {
		return tooShort("versionStages", "[]", true, 1)
	}
	if len(stages) > awsrules.SecretVersionStagesMax {
		return tooLong("versionStages", "", false, awsrules.SecretVersionStagesMax)
	}
	for i := range stages {
		if err := checkLen(fmt.Sprintf("versionStages.%d.member", i+1), &stages[i], 1, awsrules.SecretVersionStageMaxLength, true); err != nil {
			return err
		}
	}
	return nil
}

func (sv *service) putSecretValue(c *awsapi.Context, in *putSecretValueInput) (*putSecretValueOutput, error) {
	if err := checkSecretID(in.SecretId); err != nil {
		return nil, err
	}
	if err := checkToken(in.ClientRequestToken); err != nil {
		return nil, err
	}
	if err := checkStages(in.VersionStages); err != nil {
		return nil, err
	}
	val, err := checkValue(in.SecretString, in.SecretBinary)
	if err != nil {
		return nil, err
	}
	if !val.present() {
		return nil, awsapi.NewError("InvalidRequestException", msgNoValue)
	}
	if in.ClientRequestToken == nil {
		return nil, awsapi.NewError("InvalidRequestException", msgNoToken)
	}
	stages := in.VersionStages
	if stages == nil {
		stages = []string{awsrules.StageCurrent}
	}
	if key, ok, err := sv.storedKey(c, *in.SecretId); err != nil {
		return nil, err
	} else if ok {
		if err := sv.checkKey(c, key); err != nil {
			return nil, err
		}
	}
	var out *putSecretValueOutput
	err = sv.db.Write(c, func(tx *state.Tx) error {
		s, err := sv.findLive(c, tx, *in.SecretId)
		if err != nil {
			return err
		}
		if v := s.version(*in.ClientRequestToken); v != nil {
			if !v.val.equal(val) {
				return awsapi.NewError("ResourceExistsException", msgModifyVersion)
			}
			out = &putSecretValueOutput{ARN: s.arn, Name: s.name, VersionId: v.id, VersionStages: v.stages}
			return nil
		}
		now := sv.now().UnixMilli()
		v := &version{id: *in.ClientRequestToken, created: now, val: val}
		s.addVersion(v, stages)
		s.changed = now
		out = &putSecretValueOutput{ARN: s.arn, Name: s.name, VersionId: v.id, VersionStages: v.stages}
		return sv.save(c, tx, s)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ---- UpdateSecret

type updateSecretInput struct {
	SecretId           *string
	ClientRequestToken *string
	Description        *string
	KmsKeyId           *string
	SecretBinary       []byte
	SecretString       *string
}

type updateSecretOutput struct {
	ARN       string  `json:"ARN"`
	Name      string  `json:"Name"`
	VersionId *string `json:"VersionId,omitempty"`
}

func (sv *service) updateSecret(c *awsapi.Context, in *updateSecretInput) (*updateSecretOutput, error) {
	if err := checkSecretID(in.SecretId); err != nil {
		return nil, err
	}
	if err := checkToken(in.ClientRequestToken); err != nil {
		return nil, err
	}
	if err := checkLen("description", in.Description, 0, awsrules.SecretDescriptionMaxLength, true); err != nil {
		return nil, err
	}
	if err := checkLen("kmsKeyId", in.KmsKeyId, 0, awsrules.SecretKmsKeyIDMaxLength, true); err != nil {
		return nil, err
	}
	val, err := checkValue(in.SecretString, in.SecretBinary)
	if err != nil {
		return nil, err
	}
	if val.present() && in.ClientRequestToken == nil {
		return nil, awsapi.NewError("InvalidRequestException", msgNoToken)
	}
	// A new key (or "" for the default one) is checked whenever it is given;
	// otherwise the secret's own key is, when a value is to be encrypted.
	if in.KmsKeyId != nil || val.present() {
		key, ok, err := sv.storedKey(c, *in.SecretId)
		if err != nil {
			return nil, err
		}
		if in.KmsKeyId != nil {
			key = in.KmsKeyId
		}
		if ok {
			if err := sv.checkKey(c, key); err != nil {
				return nil, err
			}
		}
	}
	var out *updateSecretOutput
	err = sv.db.Write(c, func(tx *state.Tx) error {
		s, err := sv.findLive(c, tx, *in.SecretId)
		if err != nil {
			return err
		}
		now := sv.now().UnixMilli()
		out = &updateSecretOutput{ARN: s.arn, Name: s.name}
		if val.present() {
			// UpdateSecret, unlike PutSecretValue, refuses a token that
			// already names a version, whatever its value.
			if s.version(*in.ClientRequestToken) != nil {
				return awsapi.NewError("ResourceExistsException", msgModifyVersion)
			}
			v := &version{id: *in.ClientRequestToken, created: now, val: val}
			s.addVersion(v, []string{awsrules.StageCurrent})
			out.VersionId = &v.id
		}
		if in.Description != nil {
			s.description = nonEmpty(in.Description)
		}
		if in.KmsKeyId != nil {
			s.kmsKeyID = nonEmpty(in.KmsKeyId)
		}
		s.changed = now
		return sv.save(c, tx, s)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ---- DeleteSecret / RestoreSecret

type deleteSecretInput struct {
	SecretId                   *string
	RecoveryWindowInDays       *int64
	ForceDeleteWithoutRecovery *bool
}

type deleteSecretOutput struct {
	ARN          string      `json:"ARN"`
	Name         string      `json:"Name"`
	DeletionDate awsapi.Time `json:"DeletionDate"`
}

func (sv *service) deleteSecret(c *awsapi.Context, in *deleteSecretInput) (*deleteSecretOutput, error) {
	if err := checkSecretID(in.SecretId); err != nil {
		return nil, err
	}
	force := in.ForceDeleteWithoutRecovery != nil && *in.ForceDeleteWithoutRecovery
	if in.RecoveryWindowInDays != nil && !awsrules.ValidRecoveryWindow(*in.RecoveryWindowInDays) {
		return nil, awsapi.NewError("InvalidParameterException", msgRecoveryWindow)
	}
	if in.RecoveryWindowInDays != nil && force {
		return nil, awsapi.NewError("InvalidParameterException", msgForceWithWindow)
	}
	days := int64(awsrules.SecretRecoveryWindowDefaultDays)
	if in.RecoveryWindowInDays != nil {
		days = *in.RecoveryWindowInDays
	}
	var out *deleteSecretOutput
	err := sv.db.Write(c, func(tx *state.Tx) error {
		if err := sv.purgeExpired(c, tx); err != nil {
			return err
		}
		now := sv.now()
		s, err := sv.find(c, tx, *in.SecretId)
		if err != nil {
			// Forcing the deletion of a secret that does not exist is not
			// an error, as the API reference says.
			var ae *awsapi.Error
			if force && errors.As(err, &ae) {
				out = &deleteSecretOutput{ARN: *in.SecretId, Name: *in.SecretId, DeletionDate: awsapi.Time(now)}
				if !strings.HasPrefix(*in.SecretId, "arn:") {
					out.ARN = c.ARN("secretsmanager", "secret:"+*in.SecretId+"-"+randomSuffix())
				}
				return nil
			}
			return err
		}
		if force {
			out = &deleteSecretOutput{ARN: s.arn, Name: s.name, DeletionDate: awsapi.Time(now)}
			_, err := tx.ExecContext(c, `DELETE FROM sm_secrets WHERE id = ?`, s.id)
			return err
		}
		if s.deleted != nil {
			return awsapi.NewError("InvalidRequestException", msgAlreadyDeleted)
		}
		when := now.Add(timeDays(days)).UnixMilli()
		out = &deleteSecretOutput{ARN: s.arn, Name: s.name, DeletionDate: ts(when)}
		_, err = tx.ExecContext(c, `UPDATE sm_secrets SET deleted_at = ?, changed_at = ? WHERE id = ?`, when, now.UnixMilli(), s.id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (sv *service) restoreSecret(c *awsapi.Context, in *secretIDInput) (*nameARN, error) {
	if err := checkSecretID(in.SecretId); err != nil {
		return nil, err
	}
	var out *nameARN
	err := sv.db.Write(c, func(tx *state.Tx) error {
		s, err := sv.find(c, tx, *in.SecretId)
		if err != nil {
			return err
		}
		out = &nameARN{ARN: s.arn, Name: s.name}
		if s.deleted == nil {
			return nil
		}
		_, err = tx.ExecContext(c, `UPDATE sm_secrets SET deleted_at = NULL, changed_at = ? WHERE id = ?`, sv.now().UnixMilli(), s.id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ---- ListSecretVersionIds

type listVersionsInput struct {
	SecretId          *string
	MaxResults        *int64
	NextToken         *string
	IncludeDeprecated *bool
}

type versionEntry struct {
	VersionId        string       `json:"VersionId"`
	VersionStages    []string     `json:"VersionStages,omitempty"`
	LastAccessedDate *awsapi.Time `json:"LastAccessedDate,omitempty"`
	CreatedDate      awsapi.Time  `json:"CreatedDate"`
	KmsKeyIds        []string     `json:"KmsKeyIds"`
}

type listVersionsOutput struct {
	ARN       string         `json:"ARN"`
	Name      string         `json:"Name"`
	Versions  []versionEntry `json:"Versions"`
	NextToken *string        `json:"NextToken,omitempty"`
}

func timeDays(d int64) time.Duration { return time.Duration(d) * 24 * time.Hour }

func checkMaxResults(n *int64) (int, error) {
	if n == nil {
		return awsrules.SecretListMaxResults, nil
	}
	if *n < 1 {
		return 0, awsapi.Errorf("ValidationException", "1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1", *n)
	}
	if *n > awsrules.SecretListMaxResults {
		return 0, awsapi.Errorf("ValidationException", "1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to %d", *n, awsrules.SecretListMaxResults)
	}
	return int(*n), nil
}

func (sv *service) listSecretVersionIds(c *awsapi.Context, in *listVersionsInput) (*listVersionsOutput, error) {
	if err := checkSecretID(in.SecretId); err != nil {
		return nil, err
	}
	limit, err := checkMaxResults(in.MaxResults)
	if err != nil {
		return nil, err
	}
	var after int64
	if in.NextToken != nil {
		key, ok := awsapi.DecodeToken(*in.NextToken)
		if _, err := fmt.Sscanf(key, "v:%d", &after); !ok || err != nil {
			return nil, awsapi.NewError("InvalidNextTokenException", msgInvalidNextToken)
		}
	}
	q := sv.db.Read()
	s, err := sv.find(c, q, *in.SecretId)
	if err != nil {
		return nil, err
	}
	if err := sv.loadVersions(c, q, s); err != nil {
		return nil, err
	}
	kms := "DefaultEncryptionKey"
	if s.kmsKeyID != nil {
		kms = *s.kmsKeyID
	}
	out := &listVersionsOutput{ARN: s.arn, Name: s.name, Versions: []versionEntry{}}
	var last int64
	for _, v := range s.versions {
		if v.seq <= after || (len(v.stages) == 0 && (in.IncludeDeprecated == nil || !*in.IncludeDeprecated)) {
			continue
		}
		if len(out.Versions) == limit {
			tok := awsapi.EncodeToken(fmt.Sprintf("v:%d", last))
			out.NextToken = &tok
			break
		}
		out.Versions = append(out.Versions, versionEntry{
			VersionId: v.id, VersionStages: v.stages, CreatedDate: ts(v.created),
			LastAccessedDate: tsPtr(v.accessed), KmsKeyIds: []string{kms},
		})
		last = v.seq
	}
	return out, nil
}

// ---- UpdateSecretVersionStage

type updateStageInput struct {
	SecretId            *string
	VersionStage        *string
	RemoveFromVersionId *string
	MoveToVersionId     *string
}

func (sv *service) updateSecretVersionStage(c *awsapi.Context, in *updateStageInput) (*nameARN, error) {
	if err := checkSecretID(in.SecretId); err != nil {
		return nil, err
	}
	if in.VersionStage == nil {
		return nil, missing("versionStage")
	}
	if err := checkLen("versionStage", in.VersionStage, 1, awsrules.SecretVersionStageMaxLength, true); err != nil {
		return nil, err
	}
	if err := checkVersionID("removeFromVersionId", in.RemoveFromVersionId); err != nil {
		return nil, err
	}
	if err := checkVersionID("moveToVersionId", in.MoveToVersionId); err != nil {
		return nil, err
	}
	stage := *in.VersionStage
	var out *nameARN
	err := sv.db.Write(c, func(tx *state.Tx) error {
		s, err := sv.findLive(c, tx, *in.SecretId)
		if err != nil {
			return err
		}
		var from, to *version
		if in.MoveToVersionId != nil {
			if to = s.version(*in.MoveToVersionId); to == nil {
				return awsapi.Errorf("InvalidParameterException", "Not a valid version: %s", *in.MoveToVersionId)
			}
		}
		if in.RemoveFromVersionId != nil {
			if from = s.version(*in.RemoveFromVersionId); from == nil {
				return awsapi.Errorf("InvalidParameterException", "Not a valid version: %s", *in.RemoveFromVersionId)
			}
		}
		holder := s.withStage(stage)
		switch {
		case from != nil && holder != from:
			return awsapi.Errorf("InvalidParameterException", "Version stage %s not found in version %s", stage, from.id)
		case from == nil && holder != nil && to != nil && holder != to:
			return awsapi.Errorf("InvalidParameterException", "The parameter RemoveFromVersionId can't be empty. Staging label %s is currently attached to version %s, so you must explicitly reference that version in RemoveFromVersionId.", stage, holder.id)
		case stage == awsrules.StageCurrent && to == nil && from != nil:
			return awsapi.NewError("InvalidParameterException", "You can only move staging label AWSCURRENT to a different secret version. It can't be completely removed.")
		}
		if from != nil && from != to {
			from.remove(stage)
		}
		if to != nil {
			to.add(stage)
		}
		if stage == awsrules.StageCurrent && from != nil && to != nil && from != to {
			s.movePrevious(from)
			to.remove(awsrules.StagePrevious)
		}
		s.changed = sv.now().UnixMilli()
		s.prune()
		out = &nameARN{ARN: s.arn, Name: s.name}
		return sv.save(c, tx, s)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ---- TagResource / UntagResource

type tagResourceInput struct {
	SecretId *string
	Tags     []tag
}

type untagResourceInput struct {
	SecretId *string
	TagKeys  []string
}

type empty struct{}

func (sv *service) tagResource(c *awsapi.Context, in *tagResourceInput) (*empty, error) {
	if err := checkSecretID(in.SecretId); err != nil {
		return nil, err
	}
	if in.Tags == nil {
		return nil, missing("tags")
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	err := sv.db.Write(c, func(tx *state.Tx) error {
		s, err := sv.find(c, tx, *in.SecretId)
		if err != nil {
			return err
		}
		if err := sv.loadVersions(c, tx, s); err != nil {
			return err
		}
		s.tags = dedupeTags(s.tags, in.Tags)
		if err := checkTags(s.tags); err != nil {
			return err
		}
		s.changed = sv.now().UnixMilli()
		if err := sv.save(c, tx, s); err != nil {
			return err
		}
		return sv.saveTags(c, tx, s)
	})
	if err != nil {
		return nil, err
	}
	return &empty{}, nil
}

func (sv *service) untagResource(c *awsapi.Context, in *untagResourceInput) (*empty, error) {
	if err := checkSecretID(in.SecretId); err != nil {
		return nil, err
	}
	if in.TagKeys == nil {
		return nil, missing("tagKeys")
	}
	for i := range in.TagKeys {
		if err := checkLen(fmt.Sprintf("tagKeys.%d.member", i+1), &in.TagKeys[i], 1, awsrules.SecretTagKeyMaxLength, true); err != nil {
			return nil, err
		}
	}
	err := sv.db.Write(c, func(tx *state.Tx) error {
		s, err := sv.find(c, tx, *in.SecretId)
		if err != nil {
			return err
		}
		if err := sv.loadVersions(c, tx, s); err != nil {
			return err
		}
		kept := []tag{}
		for _, t := range s.tags {
			if !contains(in.TagKeys, deref(t.Key)) {
				kept = append(kept, t)
			}
		}
		s.tags = kept
		s.changed = sv.now().UnixMilli()
		if err := sv.save(c, tx, s); err != nil {
			return err
		}
		return sv.saveTags(c, tx, s)
	})
	if err != nil {
		return nil, err
	}
	return &empty{}, nil
}

// ---- Resource policies

type getPolicyOutput struct {
	ARN            string  `json:"ARN"`
	Name           string  `json:"Name"`
	ResourcePolicy *string `json:"ResourcePolicy,omitempty"`
}

type putPolicyInput struct {
	SecretId          *string
	ResourcePolicy    *string
	BlockPublicPolicy *bool
}

func (sv *service) getResourcePolicy(c *awsapi.Context, in *secretIDInput) (*getPolicyOutput, error) {
	if err := checkSecretID(in.SecretId); err != nil {
		return nil, err
	}
	s, err := sv.find(c, sv.db.Read(), *in.SecretId)
	if err != nil {
		return nil, err
	}
	return &getPolicyOutput{ARN: s.arn, Name: s.name, ResourcePolicy: s.policy}, nil
}

func (sv *service) putResourcePolicy(c *awsapi.Context, in *putPolicyInput) (*nameARN, error) {
	if err := checkSecretID(in.SecretId); err != nil {
		return nil, err
	}
	if in.ResourcePolicy == nil {
		return nil, missing("resourcePolicy")
	}
	if err := checkLen("resourcePolicy", in.ResourcePolicy, 1, awsrules.SecretResourcePolicyMaxLength, false); err != nil {
		return nil, err
	}
	var doc struct {
		Statement json.RawMessage
	}
	if err := json.Unmarshal([]byte(*in.ResourcePolicy), &doc); err != nil || len(doc.Statement) == 0 {
		return nil, awsapi.NewError("MalformedPolicyDocumentException", "This resource policy contains a syntax error.")
	}
	if in.BlockPublicPolicy != nil && *in.BlockPublicPolicy && awsrules.SecretPolicyPublicStatement(*in.ResourcePolicy) >= 0 {
		return nil, awsapi.NewError("PublicPolicyException", "The BlockPublicPolicy parameter is set to true, and the resource policy did not prevent broad access to the secret.")
	}
	return sv.setPolicy(c, *in.SecretId, in.ResourcePolicy)
}

func (sv *service) deleteResourcePolicy(c *awsapi.Context, in *secretIDInput) (*nameARN, error) {
	if err := checkSecretID(in.SecretId); err != nil {
		return nil, err
	}
	return sv.setPolicy(c, *in.SecretId, nil)
}

func (sv *service) setPolicy(c *awsapi.Context, id string, policy *string) (*nameARN, error) {
	var out *nameARN
	err := sv.db.Write(c, func(tx *state.Tx) error {
		s, err := sv.find(c, tx, id)
		if err != nil {
			return err
		}
		out = &nameARN{ARN: s.arn, Name: s.name}
		_, err = tx.ExecContext(c, `UPDATE sm_secrets SET policy = ? WHERE id = ?`, policy, s.id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
