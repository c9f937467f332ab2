package sts

import (
	"encoding/json"
	"path"
	"strings"
)

// The emulator's evaluation of a role's trust policy, kept small but
// honest: an action is allowed when an Allow statement applies and no Deny
// statement does. A statement applies when its Principal (or NotPrincipal),
// its Action (or NotAction) and every one of its Conditions match.
//
// Principals: "*", {"AWS": "*"}, the account ("123456789012" or
// "arn:aws:iam::123456789012:root", which IAM treats as any principal of
// the account — the emulator has no identity policies to consult beyond
// it), or the exact ARN of the calling role or role session. Service and
// federated principals never match a caller of AssumeRole.
//
// Conditions: the String* operators (Equals, NotEquals, EqualsIgnoreCase,
// NotEqualsIgnoreCase, Like, NotLike, each also …IfExists) and Null, on the
// keys sts:ExternalId, sts:SourceIdentity, sts:RoleSessionName,
// aws:SourceIdentity, aws:PrincipalArn, aws:PrincipalAccount and
// aws:RequestTag/<key>. An operator the emulator does not know never holds,
// so such a statement neither allows nor denies.

type policyDoc struct {
	Statement statements
}

// statements accepts a single statement object or a list, as IAM does.
type statements []statement

func (s *statements) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '{' {
		var one statement
		if err := json.Unmarshal(b, &one); err != nil {
			return err
		}
		*s = statements{one}
		return nil
	}
	var many []statement
	err := json.Unmarshal(b, &many)
	*s = many
	return err
}

type statement struct {
	Effect       string
	Principal    json.RawMessage
	NotPrincipal json.RawMessage
	Action       stringList
	NotAction    stringList
	Condition    map[string]map[string]stringList
}

// stringList is a policy element that is a string or a list of strings.
type stringList []string

func (l *stringList) UnmarshalJSON(b []byte) error {
	var one string
	if json.Unmarshal(b, &one) == nil {
		*l = stringList{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*l = many
	return nil
}

// trustRequest is one action the caller wants on the role, with the
// condition keys AWS puts in its request context.
type trustRequest struct {
	Account string
	// Principals are the ARNs the caller is known by: the root user's ARN,
	// or a role session's ARN and its role's ARN.
	Principals []string
	Action     string
	Context    map[string]string // lower-cased keys
}

// allows reports whether the trust policy allows the request. A document
// that does not parse allows nothing (IAM checked it when the role was made).
func allows(doc string, req trustRequest) bool {
	var p policyDoc
	if err := json.Unmarshal([]byte(doc), &p); err != nil {
		return false
	}
	allowed := false
	for _, st := range p.Statement {
		if !st.applies(req) {
			continue
		}
		switch st.Effect {
		case "Deny":
			return false
		case "Allow":
			allowed = true
		}
	}
	return allowed
}

func (st statement) applies(req trustRequest) bool {
	switch {
	case st.Principal != nil:
		if !principalMatches(st.Principal, req) {
			return false
		}
	case st.NotPrincipal != nil:
		if principalMatches(st.NotPrincipal, req) {
			return false
		}
	default:
		return false
	}
	switch {
	case st.Action != nil:
		if !matchesAny(st.Action, req.Action) {
			return false
		}
	case st.NotAction != nil:
		if matchesAny(st.NotAction, req.Action) {
			return false
		}
	default:
		return false
	}
	for op, keys := range st.Condition {
		for key, values := range keys {
			if !conditionHolds(op, strings.ToLower(key), values, req.Context) {
				return false
			}
		}
	}
	return true
}

func principalMatches(raw json.RawMessage, req trustRequest) bool {
	var star string
	if json.Unmarshal(raw, &star) == nil {
		return star == "*"
	}
	var byKind map[string]stringList
	if json.Unmarshal(raw, &byKind) != nil {
		return false
	}
	for _, p := range byKind["AWS"] {
		switch {
		case p == "*", p == req.Account, p == "arn:aws:iam::"+req.Account+":root":
			return true
		}
		for _, mine := range req.Principals {
			if p == mine {
				return true
			}
		}
	}
	return false
}

// matchesAny matches an action against patterns with * and ?, ignoring
// case as IAM does for actions.
func matchesAny(patterns []string, action string) bool {
	for _, p := range patterns {
		if wildcard(strings.ToLower(p), strings.ToLower(action)) {
			return true
		}
	}
	return false
}

// wildcard matches IAM's * and ? (path.Match with everything else literal;
// '/' is swapped out because path.Match's * stops at it and IAM's does not).
func wildcard(pattern, s string) bool {
	r := strings.NewReplacer(`\`, `\\`, `[`, `\[`, `]`, `\]`, "/", "\x00")
	ok, err := path.Match(r.Replace(pattern), strings.ReplaceAll(s, "/", "\x00"))
	return err == nil && ok
}

func conditionHolds(op, key string, values []string, ctx map[string]string) bool {
	actual, present := ctx[key]
	if op == "Null" {
		// "true": the key must be absent; "false": present.
		return len(values) == 1 && (values[0] == "true") == !present
	}
	ifExists := strings.HasSuffix(op, "IfExists")
	op = strings.TrimSuffix(op, "IfExists")
	negated := strings.Contains(op, "Not")
	if !present {
		return ifExists || negated
	}
	var match func(want string) bool
	switch op {
	case "StringEquals", "StringNotEquals":
		match = func(want string) bool { return actual == want }
	case "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase":
		match = func(want string) bool { return strings.EqualFold(actual, want) }
	case "StringLike", "StringNotLike":
		match = func(want string) bool { return wildcard(want, actual) }
	default:
		return false
	}
	matched := false
	for _, v := range values {
		if match(v) {
			matched = true
			break
		}
	}
	return matched != negated
}
