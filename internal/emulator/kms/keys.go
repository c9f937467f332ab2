package kms

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/berthhq/berth/internal/emulator/awsapi"
	"github.com/berthhq/berth/internal/emulator/state"
)

// keyRow is one kms_keys row.
type keyRow struct {
	Account, Region, ID, ARN string
	Created                  int64
	Description              string
	Usage, Spec, Manager     string
	Tags                     string
}

const keyColumns = `account, region, key_id, arn, created_ms, description, key_usage, key_spec, key_manager, tags`

func scanKey(sc interface{ Scan(...any) error }) (keyRow, error) {
	var k keyRow
	err := sc.Scan(&k.Account, &k.Region, &k.ID, &k.ARN, &k.Created, &k.Description, &k.Usage, &k.Spec, &k.Manager, &k.Tags)
	return k, err
}

func insertKey(tx *state.Tx, k keyRow, policy string) error {
	var p any
	if policy != "" {
		p = policy
	}
	_, err := tx.Exec(`INSERT INTO kms_keys (account, region, key_id, arn, created_ms, description, key_usage, key_spec, key_manager, policy, tags)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		k.Account, k.Region, k.ID, k.ARN, k.Created, k.Description, k.Usage, k.Spec, k.Manager, p, k.Tags)
	return err
}

// specUsages lists, for each KeySpec, the key usages it allows and the
// algorithms KeyMetadata then reports.
var specUsages = map[string]map[string]algorithms{
	"SYMMETRIC_DEFAULT": {"ENCRYPT_DECRYPT": {enc: []string{"SYMMETRIC_DEFAULT"}}},
	"RSA_2048":          rsa, "RSA_3072": rsa, "RSA_4096": rsa,
	"ECC_NIST_P256":   ecc("ECDSA_SHA_256", true),
	"ECC_NIST_P384":   ecc("ECDSA_SHA_384", true),
	"ECC_NIST_P521":   ecc("ECDSA_SHA_512", true),
	"ECC_SECG_P256K1": ecc("ECDSA_SHA_256", false),
	"HMAC_224":        hmac("HMAC_SHA_224"),
	"HMAC_256":        hmac("HMAC_SHA_256"),
	"HMAC_384":        hmac("HMAC_SHA_384"),
	"HMAC_512":        hmac("HMAC_SHA_512"),
}

type algorithms struct {
	enc, sign, agree, mac []string
}

var rsa = map[string]algorithms{
	"ENCRYPT_DECRYPT": {enc: []string{"RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"}},
	"SIGN_VERIFY": {sign: []string{
		"RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PKCS1_V1_5_SHA_384", "RSASSA_PKCS1_V1_5_SHA_512",
		"RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PSS_SHA_512",
	}},
}

func ecc(sign string, agreement bool) map[string]algorithms {
	m := map[string]algorithms{"SIGN_VERIFY": {sign: []string{sign}}}
	if agreement {
		m["KEY_AGREEMENT"] = algorithms{agree: []string{"ECDH"}}
	}
	return m
}

func hmac(alg string) map[string]algorithms {
	return map[string]algorithms{"GENERATE_VERIFY_MAC": {mac: []string{alg}}}
}

var (
	keyUsageEnum = []string{"SIGN_VERIFY", "ENCRYPT_DECRYPT", "GENERATE_VERIFY_MAC", "KEY_AGREEMENT"}
	keySpecEnum  = []string{"RSA_2048", "RSA_3072", "RSA_4096", "ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521", "ECC_SECG_P256K1", "SYMMETRIC_DEFAULT", "HMAC_224", "HMAC_256", "HMAC_384", "HMAC_512", "SM2", "ML_DSA_44", "ML_DSA_65", "ML_DSA_87", "ECC_NIST_EDWARDS25519"}
	originEnum   = []string{"AWS_KMS", "EXTERNAL", "AWS_CLOUDHSM", "EXTERNAL_KEY_STORE"}
)

// keyMetadata is KMS's KeyMetadata as DescribeKey and CreateKey return it.
type keyMetadata struct {
	AWSAccountID           string      `json:"AWSAccountId"`
	KeyID                  string      `json:"KeyId"`
	Arn                    string      `json:"Arn"`
	CreationDate           awsapi.Time `json:"CreationDate"`
	Enabled                bool        `json:"Enabled"`
	Description            string      `json:"Description"`
	KeyUsage               string      `json:"KeyUsage"`
	KeyState               string      `json:"KeyState"`
	Origin                 string      `json:"Origin"`
	KeyManager             string      `json:"KeyManager"`
	CustomerMasterKeySpec  string      `json:"CustomerMasterKeySpec"`
	KeySpec                string      `json:"KeySpec"`
	EncryptionAlgorithms   []string    `json:"EncryptionAlgorithms,omitempty"`
	SigningAlgorithms      []string    `json:"SigningAlgorithms,omitempty"`
	KeyAgreementAlgorithms []string    `json:"KeyAgreementAlgorithms,omitempty"`
	MacAlgorithms          []string    `json:"MacAlgorithms,omitempty"`
	MultiRegion            bool        `json:"MultiRegion"`
}

func (k keyRow) metadata() *keyMetadata {
	alg := specUsages[k.Spec][k.Usage]
	return &keyMetadata{
		AWSAccountID: k.Account, KeyID: k.ID, Arn: k.ARN,
		CreationDate: awsapi.Time(time.UnixMilli(k.Created)),
		Enabled:      true, Description: k.Description, KeyUsage: k.Usage, KeyState: "Enabled",
		Origin: "AWS_KMS", KeyManager: k.Manager, CustomerMasterKeySpec: k.Spec, KeySpec: k.Spec,
		EncryptionAlgorithms: alg.enc, SigningAlgorithms: alg.sign, KeyAgreementAlgorithms: alg.agree, MacAlgorithms: alg.mac,
	}
}

// violations collects the model-constraint failures the service reports
// together (see awsapi.Violations).
type violations = awsapi.Violations

type kmsTag struct {
	TagKey   string `json:"TagKey"`
	TagValue string `json:"TagValue"`
}

// xksKeyIDPattern is the model's pattern for CreateKey's XksKeyId.
var xksKeyIDPattern = regexp.MustCompile(`^[a-zA-Z0-9-_.]+$`)

type createKeyInput struct {
	Policy                         *string
	Description                    *string
	KeyUsage                       *string
	CustomerMasterKeySpec          *string
	KeySpec                        *string
	Origin                         *string
	CustomKeyStoreID               *string `json:"CustomKeyStoreId"`
	XksKeyID                       *string `json:"XksKeyId"`
	BypassPolicyLockoutSafetyCheck bool
	Tags                           []kmsTag
	MultiRegion                    *bool
}

type keyMetadataOutput struct {
	KeyMetadata *keyMetadata `json:"KeyMetadata"`
}

func (s *service) createKey(c *awsapi.Context, in *createKeyInput) (*keyMetadataOutput, error) {
	var v violations
	if in.Description != nil {
		v.Length(*in.Description, "description", 0, 8192)
	}
	if in.Policy != nil {
		v.Length(*in.Policy, "policy", 1, 131072)
	}
	v.Enum(in.KeyUsage, "keyUsage", keyUsageEnum)
	v.Enum(in.KeySpec, "keySpec", keySpecEnum)
	v.Enum(in.CustomerMasterKeySpec, "customerMasterKeySpec", keySpecEnum[:13])
	v.Enum(in.Origin, "origin", originEnum)
	if in.XksKeyID != nil {
		v.Length(*in.XksKeyID, "xksKeyId", 1, 128)
		v.Pattern(*in.XksKeyID, "xksKeyId", xksKeyIDPattern, xksKeyIDPattern.String())
	}
	for i, t := range in.Tags {
		field := fmt.Sprintf("tags.%d.member.", i+1)
		v.Length(t.TagKey, field+"tagKey", 1, 128)
		v.Length(t.TagValue, field+"tagValue", 0, 256)
	}
	if err := v.Err("ValidationException"); err != nil {
		return nil, err
	}
	spec := "SYMMETRIC_DEFAULT"
	if in.KeySpec != nil {
		spec = *in.KeySpec
	} else if in.CustomerMasterKeySpec != nil {
		spec = *in.CustomerMasterKeySpec
	}
	usage := "ENCRYPT_DECRYPT"
	if in.KeyUsage != nil {
		usage = *in.KeyUsage
	}
	if in.Origin != nil && *in.Origin != "AWS_KMS" || in.CustomKeyStoreID != nil || isTrue(in.MultiRegion) {
		return nil, awsapi.NewError("UnsupportedOperationException", "The local emulator creates only single-Region keys with origin AWS_KMS.")
	}
	usages, ok := specUsages[spec]
	if !ok {
		return nil, awsapi.Errorf("UnsupportedOperationException", "KeySpec %s is not supported in this Region.", spec)
	}
	if _, ok := usages[usage]; !ok {
		return nil, awsapi.Errorf("ValidationException", "KeyUsage %s is not compatible with KeySpec %s", usage, spec)
	}
	seen := map[string]bool{}
	for _, t := range in.Tags {
		if strings.HasPrefix(strings.ToLower(t.TagKey), "aws:") {
			return nil, awsapi.NewError("TagException", "Tags beginning with aws: are reserved")
		}
		if seen[t.TagKey] {
			return nil, awsapi.Errorf("TagException", "Duplicate tag keys: %s", t.TagKey)
		}
		seen[t.TagKey] = true
	}
	tags := in.Tags
	if tags == nil {
		tags = []kmsTag{}
	}
	tagJSON, _ := json.Marshal(tags)

	k := keyRow{
		Account: c.Account, Region: c.Region, ID: uuid.NewString(), Created: time.Now().UnixMilli(),
		Usage: usage, Spec: spec, Manager: "CUSTOMER", Tags: string(tagJSON),
	}
	if in.Description != nil {
		k.Description = *in.Description
	}
	k.ARN = keyARN(k.Account, k.Region, k.ID)
	policy := ""
	if in.Policy != nil {
		policy = *in.Policy
	}
	if err := s.db.Write(c, func(tx *state.Tx) error { return insertKey(tx, k, policy) }); err != nil {
		return nil, err
	}
	return &keyMetadataOutput{KeyMetadata: k.metadata()}, nil
}

func isTrue(b *bool) bool { return b != nil && *b }

type describeKeyInput struct {
	KeyID       *string  `json:"KeyId"`
	GrantTokens []string `json:"GrantTokens"`
}

func (s *service) describeKey(c *awsapi.Context, in *describeKeyInput) (*keyMetadataOutput, error) {
	var v violations
	if in.KeyID == nil {
		v.Add(nil, "keyId", "Member must not be null")
	} else {
		v.Length(*in.KeyID, "keyId", 1, 2048)
	}
	if err := v.Err("ValidationException"); err != nil {
		return nil, err
	}
	k, err := resolve(c, s.db, c.Account, c.Region, *in.KeyID)
	if err != nil {
		return nil, err
	}
	return &keyMetadataOutput{KeyMetadata: k.metadata()}, nil
}

type listInput struct {
	KeyID  *string `json:"KeyId"`
	Limit  *int
	Marker *string
}

type keyListEntry struct {
	KeyID  string `json:"KeyId"`
	KeyArn string `json:"KeyArn"`
}

type listKeysOutput struct {
	Keys       []keyListEntry `json:"Keys"`
	NextMarker string         `json:"NextMarker,omitempty"`
	Truncated  bool           `json:"Truncated"`
}

// page reads Limit (1–1000 in the model; def when absent, capped at max) and
// Marker, a token this emulator issued.
func page(in *listInput, def, maxLimit int) (limit int, after string, err error) {
	var v violations
	v.Range(in.Limit, "limit", 1, 1000)
	if in.Marker != nil {
		v.Length(*in.Marker, "marker", 1, 1024)
	}
	if err := v.Err("ValidationException"); err != nil {
		return 0, "", err
	}
	limit = def
	if in.Limit != nil {
		limit = min(*in.Limit, maxLimit)
	}
	if in.Marker != nil {
		key, ok := awsapi.DecodeToken(*in.Marker)
		if !ok {
			return 0, "", awsapi.NewError("InvalidMarkerException", "Invalid marker")
		}
		after = key
	}
	return limit, after, nil
}

func (s *service) listKeys(c *awsapi.Context, in *listInput) (*listKeysOutput, error) {
	limit, after, err := page(in, 100, 1000)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.Read().QueryContext(c, `SELECT key_id, arn FROM kms_keys
		WHERE account = ? AND region = ? AND key_id > ? ORDER BY key_id LIMIT ?`, c.Account, c.Region, after, limit+1)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := &listKeysOutput{Keys: []keyListEntry{}}
	for rows.Next() {
		var e keyListEntry
		if err := rows.Scan(&e.KeyID, &e.KeyArn); err != nil {
			return nil, err
		}
		if len(out.Keys) == limit {
			out.Truncated = true
			out.NextMarker = awsapi.EncodeToken(out.Keys[limit-1].KeyID)
			break
		}
		out.Keys = append(out.Keys, e)
	}
	return out, rows.Err()
}
