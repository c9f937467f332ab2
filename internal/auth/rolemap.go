package auth

import (
	"fmt"
	"strings"
)

// RoleRule maps one value of an identity provider's claim (a group name,
// for example) to a role and an optional scope. "*" matches everyone.
type RoleRule struct {
	Value string
	Role  Role
	Scope string
}

// RoleMap is an ordered list of rules: the first rule whose value the person
// has decides their role and scope.
type RoleMap []RoleRule

// ParseRoleMap reads "value=role[:scope],…", for example
// "berth-admins=admin,payments=editor:payments/,*=viewer".
func ParseRoleMap(s string) (RoleMap, error) {
	var m RoleMap
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		value, rest, ok := strings.Cut(item, "=")
		if !ok || strings.TrimSpace(value) == "" {
			return nil, fmt.Errorf("role mapping %q: write value=role or value=role:scope", item)
		}
		roleText, scope, _ := strings.Cut(rest, ":")
		role, err := ParseRole(roleText)
		if err != nil {
			return nil, fmt.Errorf("role mapping %q: %w", item, err)
		}
		m = append(m, RoleRule{Value: strings.TrimSpace(value), Role: role, Scope: strings.TrimSpace(scope)})
	}
	return m, nil
}

// Match returns the role and scope for a person with the given claim values.
// ok is false when no rule matches: that person may not use Berth.
func (m RoleMap) Match(values []string) (role Role, scope string, ok bool) {
	for _, rule := range m {
		if rule.Value == "*" {
			return rule.Role, rule.Scope, true
		}
		for _, v := range values {
			if v == rule.Value {
				return rule.Role, rule.Scope, true
			}
		}
	}
	return "", "", false
}
