package iam

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"

	"github.com/berthhq/berth/internal/emulator/awsapi"
)

// The constraints of IAM's service model (botocore iam/2010-05-08). The
// pattern strings are quoted verbatim in ValidationError messages, as AWS does.
const (
	roleNamePattern    = `[\w+=,.@-]+`
	pathPattern        = `(\u002F)|(\u002F[\u0021-\u007E]+\u002F)`
	pathPrefixPattern  = `\u002F[\u0021-\u007F]*`
	policyPathPattern  = `((/[A-Za-z0-9\.,\+@=_-]+)*)/`
	descriptionPattern = `[\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*`

	minSession, maxSession = 3600, 43200
	defaultSession         = 3600
	defaultMaxItems        = 100
)

var (
	roleNameRE    = regexp.MustCompile(`^[\w+=,.@-]+$`)
	pathRE        = regexp.MustCompile(`^(/|/[\x{21}-\x{7E}]+/)$`)
	pathPrefixRE  = regexp.MustCompile(`^/[\x{21}-\x{7F}]*$`)
	policyPathRE  = regexp.MustCompile(`^((/[A-Za-z0-9\.,\+@=_-]+)*)/$`)
	descriptionRE = regexp.MustCompile(`^[\x{09}\x{0A}\x{0D}\x{20}-\x{7E}\x{A1}-\x{FF}]*$`)
	policyDocRE   = regexp.MustCompile(`^[\x{09}\x{0A}\x{0D}\x{20}-\x{FF}]+$`)
)

// violations collects the model-constraint failures the service reports
// together (see awsapi.Violations).
type violations = awsapi.Violations

// roleNameProblems checks a role name as the model and IAM do. The pattern
// failure carries IAM's own sentence rather than the generic model text.
func roleNameProblems(v *violations, name string, present bool) error {
	if !present {
		v.Add(nil, "roleName", "Member must not be null")
		return nil
	}
	v.Length(name, "roleName", 1, 64)
	if name != "" && !roleNameRE.MatchString(name) {
		return awsapi.NewError("ValidationError", "The specified value for roleName is invalid. It must contain only alphanumeric characters and/or the following: +=,.@_-")
	}
	return nil
}

// maxItems reads MaxItems (1–1000, default 100).
func maxItems(v *violations, form map[string][]string) int {
	s := first(form, "MaxItems")
	if s == "" {
		return defaultMaxItems
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		v.Add(s, "maxItems", "Member must be an integer")
		return defaultMaxItems
	}
	if n < 1 {
		v.Add(n, "maxItems", "Member must have value greater than or equal to 1")
	}
	if n > 1000 {
		v.Add(n, "maxItems", "Member must have value less than or equal to 1000")
	}
	return n
}

func first(form map[string][]string, key string) string {
	if vs := form[key]; len(vs) > 0 {
		return vs[0]
	}
	return ""
}

func has(form map[string][]string, key string) bool {
	_, ok := form[key]
	return ok
}

// checkTrustPolicy applies the checks IAM makes on a role trust policy
// before storing it: well-formed JSON, statements, and the elements a trust
// policy must and must not have.
func checkTrustPolicy(doc string) error {
	malformed := func(msg string) error { return awsapi.NewError("MalformedPolicyDocument", msg) }
	var raw any
	if err := json.Unmarshal([]byte(doc), &raw); err != nil {
		return malformed("This policy contains invalid Json")
	}
	obj, ok := raw.(map[string]any)
	if !ok {
		return malformed("Syntax errors in policy.")
	}
	st, ok := obj["Statement"]
	if !ok {
		return malformed("Syntax errors in policy.")
	}
	var stmts []any
	switch s := st.(type) {
	case []any:
		stmts = s
	case map[string]any:
		stmts = []any{s}
	default:
		return malformed("Syntax errors in policy.")
	}
	for _, s := range stmts {
		m, ok := s.(map[string]any)
		if !ok {
			return malformed("Syntax errors in policy.")
		}
		if _, ok := m["Resource"]; ok {
			return malformed("Has prohibited field Resource")
		}
		if _, ok := m["Effect"]; !ok {
			return malformed("Missing required field Effect")
		}
		_, p := m["Principal"]
		_, np := m["NotPrincipal"]
		if !p && !np {
			return malformed("Missing required field Principal")
		}
	}
	return nil
}

// escapePolicy encodes a policy document the way IAM returns it: every byte
// outside the RFC 3986 unreserved set percent-encoded (spaces as %20, never +),
// which the AWS CLI decodes back into JSON.
func escapePolicy(doc string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(doc) * 2)
	for i := 0; i < len(doc); i++ {
		c := doc[i]
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-', c == '_', c == '.', c == '~':
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}
