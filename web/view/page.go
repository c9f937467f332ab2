// Package view holds Berth's templ components: the layout, shared fields and
// the pages. Every page takes a typed model that embeds Page.
package view

import (
	"strconv"
	"strings"

	"github.com/berthhq/berth/static"
)

// Backend describes what Berth talks to, for the header and the banner.
type Backend struct {
	// Local is true when the embedded emulator plays AWS.
	Local bool
	// Endpoint is the emulator's URL for the AWS CLI (local mode).
	Endpoint string
	Region   string
	Account  string
	// AssumedRole is the ARN of the role session Berth acts in for the
	// signed-in person (arn:aws:sts::…:assumed-role/<role>/berth-<user>),
	// "" when Berth uses its own credentials.
	AssumedRole string
	// Regions offered by the region switcher; empty hides it.
	Regions []string
	// Problem explains why AWS could not be reached, and Fix what to do about it.
	Problem, Fix string
}

// Flash is a one-time message shown after a redirect.
type Flash struct {
	Kind    string // success, error, info
	Message string
}

// Crumb is one step of the breadcrumbs; the last has no link.
type Crumb struct {
	Label, Href string
}

// Navigation sections, for the left navigation's current item.
const (
	SectionHome         = "home"
	SectionRepositories = "repositories"
	SectionSecrets      = "secrets"
	SectionTaskDefs     = "task-definitions"
	SectionAudit        = "audit"
	SectionUsers        = "users"
	SectionSettings     = "settings"
	SectionAccount      = "account"
)

// Page is what every page model embeds: title, navigation state, backend,
// flashes and the signed-in person.
type Page struct {
	Title   string
	Section string
	Backend Backend
	Flashes []Flash
	Crumbs  []Crumb
	// Path is the current request path, for forms that come back to it.
	Path string
	// User is the signed-in person (nil on the sign-in and setup pages).
	User *User
	// ReadOnly is Berth's read-only mode: every change is refused.
	ReadOnly bool
}

func asset(name string) string { return static.Path(name) }

func itoa(n int) string { return strconv.Itoa(n) }

func current(p Page, section string) string {
	if p.Section == section {
		return "page"
	}
	return "false"
}

// AssumedRoleName is AssumedRole without its prefix: "<role>/<session>".
func (b Backend) AssumedRoleName() string {
	if _, after, ok := strings.Cut(b.AssumedRole, ":assumed-role/"); ok {
		return after
	}
	return b.AssumedRole
}
