package view

import (
	"time"

	"github.com/berthhq/berth/web/form"
)

// User is the signed-in person as pages show them. The Can* flags come
// from the role and read-only mode; they only hide buttons, the server
// checks every request itself.
type User struct {
	Username    string
	DisplayName string
	Role        string
	Scope       string
	// CanEdit: may create and change repositories, secrets and task definitions.
	CanEdit bool
	// CanReveal: may retrieve secret values.
	CanReveal bool
	// IsAdmin: may delete, manage users and settings, read the whole audit trail.
	IsAdmin bool
	// Local: signed in with a Berth password (may change it).
	Local bool
}

// Name is what the header shows.
func (u *User) Name() string {
	if u.DisplayName != "" {
		return u.DisplayName
	}
	return u.Username
}

// CanEdit reports whether the page's person may make changes now.
func (p Page) CanEdit() bool { return p.User != nil && p.User.CanEdit && !p.ReadOnly }

// CanReveal reports whether the page's person may retrieve secret values.
func (p Page) CanReveal() bool { return p.User != nil && p.User.CanReveal }

// IsAdmin reports whether the page's person is an admin.
func (p Page) IsAdmin() bool { return p.User != nil && p.User.IsAdmin }

// CanDelete reports whether the page's person may delete now.
func (p Page) CanDelete() bool { return p.IsAdmin() && !p.ReadOnly }

// SignInPage is the sign-in form.
type SignInPage struct {
	Page
	Username string
	Next     string
	// Error is the one message a failed sign-in gets; it never says whether
	// the account exists.
	Error string
	// Local offers the username and password form; SSO the provider button.
	Local, SSO bool
}

// SetupPage creates the first admin.
type SetupPage struct {
	Page
	Token    string
	Username string
	Errors   form.Errors
}

// AccountPage is the signed-in person's own page.
type AccountPage struct {
	Page
	Me       UserRow
	Sessions int
	Errors   form.Errors
	History  []AuditRow
}

// UserRow is one person in the users list and on their page.
type UserRow struct {
	Username, DisplayName, Role, Scope, Source string
	Disabled                                   bool
	HasPassword                                bool
	Created                                    time.Time
}

// UsersPage lists people.
type UsersPage struct {
	Page
	Users []UserRow
}

// UserFormPage adds a local account.
type UserFormPage struct {
	Page
	Username, Role, Scope string
	Errors                form.Errors
}

// UserPage shows one person with the admin's controls.
type UserPage struct {
	Page
	User     UserRow
	Sessions int
	Role     string
	Scope    string
	Errors   form.Errors
	History  []AuditRow
	Self     bool
}

// SettingsPage is Berth's admin settings.
type SettingsPage struct {
	Page
	LocalSignIn bool
	// CanDisableLocal: another way to sign in exists (SSO or a proxy), so
	// local accounts may be turned off without locking everyone out.
	CanDisableLocal bool
	SSO, Proxy      string
	IdleTimeout     string
	Lifetime        string
}

// AuditRow is one audit entry as pages show it.
type AuditRow struct {
	ID           int64
	At           time.Time
	Actor        string
	ActorRole    string
	Address      string
	Action       string
	Resource     string
	Outcome      string
	Detail       string
	AWSRequestID string
	Region       string
	Changes      []AuditChange
}

// AuditChange is one setting a change altered.
type AuditChange struct {
	Field, Before, After string
}

// AuditFilter is the audit page's filter form, as typed.
type AuditFilter struct {
	Actor, Action, Resource, From, To string
}

// AuditPage is /audit.
type AuditPage struct {
	Page
	Filter AuditFilter
	// OwnOnly: the person sees only their own entries (not an admin).
	OwnOnly bool
	Rows    []AuditRow
	// Next is the URL of the next (older) page, "" on the last.
	Next string
	// Export is the filter's query string for the CSV and JSON links.
	Export  string
	Errors  form.Errors
	Actions []string
}

func fmtTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05Z") }

func outcomeClass(o string) string {
	switch o {
	case "success":
		return "badge ok"
	case "denied":
		return "badge warn"
	}
	return "badge danger"
}

// bodyClass lets the stylesheet hide the navigation and account context
// from people who are not signed in.
func bodyClass(p Page) string {
	if p.User == nil {
		return "signed-out"
	}
	return "signed-in"
}
