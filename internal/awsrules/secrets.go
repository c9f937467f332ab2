// Package awsrules holds AWS field limits and patterns shared by Berth's web
// forms and its local AWS emulator. It is stdlib only: the forms turn the
// problems into plain-language messages, the emulator into AWS's own errors,
// and both agree on what is valid.
package awsrules

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Secrets Manager limits, from the service model (botocore secretsmanager
// 2017-10-17) and the API reference.
const (
	SecretNameMaxLength         = 512
	SecretDescriptionMaxLength  = 2048
	SecretValueMaxBytes         = 65536
	SecretKmsKeyIDMaxLength     = 2048
	SecretRecoveryWindowMinDays = 7
	SecretRecoveryWindowMaxDays = 30
	// SecretRecoveryWindowDefaultDays is what DeleteSecret uses when neither a
	// window nor ForceDeleteWithoutRecovery is given.
	SecretRecoveryWindowDefaultDays = 30
	SecretTagsMax                   = 50
	SecretTagKeyMaxLength           = 128
	SecretTagValueMaxLength         = 256
	SecretClientRequestTokenMin     = 32
	SecretClientRequestTokenMax     = 64
	SecretVersionStageMaxLength     = 256
	SecretVersionStagesMax          = 20
	SecretResourcePolicyMaxLength   = 20480
	SecretListMaxResults            = 100
	SecretPasswordLengthMin         = 1
	SecretPasswordLengthMax         = 4096
	SecretPasswordLengthDefault     = 32
	// SecretMaxVersions is how many versions a secret keeps; beyond it the
	// oldest versions without staging labels are dropped.
	SecretMaxVersions = 100
)

// Staging labels that Secrets Manager itself moves between versions.
const (
	StageCurrent  = "AWSCURRENT"
	StagePrevious = "AWSPREVIOUS"
	StagePending  = "AWSPENDING"
)

// SecretPunctuation is the punctuation set GetRandomPassword draws from (the
// API reference lists exactly these 32 characters).
const SecretPunctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"

// SecretNamePattern is what a secret name may contain: ASCII letters, digits
// and / _ + = . @ -.
var SecretNamePattern = regexp.MustCompile(`^[A-Za-z0-9/_+=.@-]+$`)

// secretTagPattern is AWS's general tag character set: letters, digits and
// spaces in UTF-8 plus + - = . _ : / @.
var secretTagPattern = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)

// ValidSecretName reports whether name is accepted by CreateSecret.
func ValidSecretName(name string) bool {
	return len(name) >= 1 && len(name) <= SecretNameMaxLength && SecretNamePattern.MatchString(name)
}

// SecretNameProblems lists what is wrong with a secret name.
func SecretNameProblems(name string) []string {
	var p []string
	switch {
	case name == "":
		p = append(p, "Enter a secret name")
	case len(name) > SecretNameMaxLength:
		p = append(p, fmt.Sprintf("Use at most %d characters", SecretNameMaxLength))
	}
	if name != "" && !SecretNamePattern.MatchString(name) {
		p = append(p, "Use only ASCII letters, digits, and / _ + = . @ -")
	}
	return p
}

// SecretNameEndsLikeSuffix reports whether name ends in a hyphen and six
// characters, which AWS accepts but advises against: the ARN adds its own
// "-xxxxxx" suffix, so such a name is confused with a full ARN's resource part
// when a secret is looked up by partial ARN.
func SecretNameEndsLikeSuffix(name string) bool {
	return len(name) >= 7 && name[len(name)-7] == '-'
}

// SecretNameWarnings lists advice about a valid name that AWS accepts anyway.
func SecretNameWarnings(name string) []string {
	if SecretNameEndsLikeSuffix(name) {
		return []string{"Avoid ending the name with a hyphen and six characters: it can be mistaken for the ARN's random suffix when the secret is looked up by partial ARN"}
	}
	return nil
}

// SecretDescriptionProblems lists what is wrong with a description.
func SecretDescriptionProblems(desc string) []string {
	if utf8.RuneCountInString(desc) > SecretDescriptionMaxLength {
		return []string{fmt.Sprintf("Use at most %d characters", SecretDescriptionMaxLength)}
	}
	return nil
}

// SecretValueProblems lists what is wrong with a secret value of size bytes
// (SecretString and SecretBinary share the same limit).
func SecretValueProblems(size int) []string {
	switch {
	case size < 1:
		return []string{"Enter a secret value"}
	case size > SecretValueMaxBytes:
		return []string{fmt.Sprintf("The secret value can be at most %d bytes (64 KB)", SecretValueMaxBytes)}
	}
	return nil
}

// ValidRecoveryWindow reports whether days is an accepted RecoveryWindowInDays.
func ValidRecoveryWindow(days int64) bool {
	return days >= SecretRecoveryWindowMinDays && days <= SecretRecoveryWindowMaxDays
}

// RecoveryWindowProblems lists what is wrong with a recovery window.
func RecoveryWindowProblems(days int64) []string {
	if !ValidRecoveryWindow(days) {
		return []string{fmt.Sprintf("Choose a recovery window from %d to %d days", SecretRecoveryWindowMinDays, SecretRecoveryWindowMaxDays)}
	}
	return nil
}

// SecretTag is one tag of a secret.
type SecretTag struct {
	Key, Value string
}

// ReservedTagKey reports whether key uses the aws: prefix, which AWS keeps
// for itself (in any letter case).
func ReservedTagKey(key string) bool {
	return len(key) >= 4 && strings.EqualFold(key[:4], "aws:")
}

// SecretTagProblems lists what is wrong with one tag.
func SecretTagProblems(t SecretTag) []string {
	var p []string
	kl := utf8.RuneCountInString(t.Key)
	switch {
	case kl == 0:
		p = append(p, "Enter a tag key")
	case kl > SecretTagKeyMaxLength:
		p = append(p, fmt.Sprintf("Use at most %d characters in a tag key", SecretTagKeyMaxLength))
	}
	if !secretTagPattern.MatchString(t.Key) {
		p = append(p, "Use only letters, digits, spaces, and + - = . _ : / @ in a tag key")
	}
	if ReservedTagKey(t.Key) {
		p = append(p, "Tag keys can't start with aws:, which AWS reserves")
	}
	if utf8.RuneCountInString(t.Value) > SecretTagValueMaxLength {
		p = append(p, fmt.Sprintf("Use at most %d characters in a tag value", SecretTagValueMaxLength))
	}
	if !secretTagPattern.MatchString(t.Value) {
		p = append(p, "Use only letters, digits, spaces, and + - = . _ : / @ in a tag value")
	}
	return p
}

// SecretTagsProblems lists what is wrong with a whole tag list: too many tags,
// a key given twice, or a problem with any one tag.
func SecretTagsProblems(tags []SecretTag) []string {
	var p []string
	if len(tags) > SecretTagsMax {
		p = append(p, fmt.Sprintf("A secret can have at most %d tags", SecretTagsMax))
	}
	seen := map[string]bool{}
	for _, t := range tags {
		if seen[t.Key] {
			p = append(p, fmt.Sprintf("The tag key %q is used more than once", t.Key))
		}
		seen[t.Key] = true
		p = append(p, SecretTagProblems(t)...)
	}
	return p
}
