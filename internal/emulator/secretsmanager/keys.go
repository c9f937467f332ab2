package secretsmanager

import (
	"errors"

	"github.com/berthhq/berth/internal/emulator/awsapi"
	"github.com/berthhq/berth/internal/emulator/kms"
)

// defaultKeyAlias is the AWS managed key a secret uses when it names none.
const defaultKeyAlias = "alias/aws/secretsmanager"

// msgInvalidKey prefixes KMS's own message when a KmsKeyId does not resolve:
// AWS answers InvalidParameterException "The operation failed because of an
// invalid KMS key: Invalid keyId" and "…: Invalid arn us-west-2" (texts seen
// from real accounts), i.e. its text followed by what KMS said.
const msgInvalidKey = "The operation failed because of an invalid KMS key: "

// checkKey resolves a KmsKeyId the way Secrets Manager does before it
// encrypts: an empty reference means the AWS managed key, which KMS creates
// on first use (so ListKeys shows it afterwards, as in a real account). It
// must be called outside a write transaction: ResolveKey may write.
func (sv *service) checkKey(c *awsapi.Context, ref *string) error {
	r := defaultKeyAlias
	if ref != nil && *ref != "" {
		r = *ref
	}
	_, err := kms.ResolveKey(c, sv.db, c.Account, c.Region, r)
	if errors.Is(err, kms.ErrKeyNotFound) {
		msg := err.Error()
		var ae *awsapi.Error
		if errors.As(err, &ae) {
			msg = ae.Message
		}
		return awsapi.NewError("InvalidParameterException", msgInvalidKey+msg)
	}
	return err
}

// storedKey looks the secret up outside the write transaction to learn the
// key a new version will be encrypted with. A secret that is missing or
// scheduled for deletion gives ok false: the write reports that instead.
func (sv *service) storedKey(c *awsapi.Context, id string) (key *string, ok bool, err error) {
	s, err := sv.find(c, sv.db.Read(), id)
	var ae *awsapi.Error
	if errors.As(err, &ae) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	if s.deleted != nil {
		return nil, false, nil
	}
	return s.kmsKeyID, true, nil
}
