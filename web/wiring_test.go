package web_test

// The team portal wired into the three areas: every change leaves its
// audit entry and shows in its resource's history, scopes limit lists,
// pages and creation, and buttons follow the role.

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/berthhq/berth/internal/cloud"
	"github.com/berthhq/berth/internal/emulator/clitest"
	"github.com/berthhq/berth/internal/store"
	"github.com/berthhq/berth/web/view"
	"github.com/berthhq/berth/web/webtest"
)

// wantAudit finds the newest entry with this action and resource and
// checks who did it and how it ended.
func wantAudit(t *testing.T, env *webtest.Env, action, resource, actor, outcome string) store.AuditEntry {
	t.Helper()
	es, _, err := env.Store.ListAudit(context.Background(), store.AuditFilter{Action: action, ResourceIs: resource})
	if err != nil {
		t.Fatal(err)
	}
	if len(es) == 0 {
		all, _, _ := env.Store.ListAudit(context.Background(), store.AuditFilter{Limit: 20})
		var got []string
		for _, e := range all {
			got = append(got, e.Action+" "+e.Resource+" "+e.Outcome)
		}
		t.Fatalf("no %s entry for %s; the trail has:\n%s", action, resource, strings.Join(got, "\n"))
	}
	e := es[0]
	if e.Actor != actor || e.Outcome != outcome {
		t.Errorf("%s %s: actor %q outcome %q (%s), want %q %q", action, resource, e.Actor, e.Outcome, e.Detail, actor, outcome)
	}
	return e
}

// noAudit checks that nothing was recorded for a resource.
func noAudit(t *testing.T, env *webtest.Env, resource string) {
	t.Helper()
	if es, _, _ := env.Store.ListAudit(context.Background(), store.AuditFilter{Resource: resource}); len(es) > 0 {
		t.Errorf("%d audit entries for %s, want none: %s %s", len(es), resource, es[0].Action, es[0].Outcome)
	}
}

// historyOf returns the text of a page's History panel (by its id).
func historyOf(t *testing.T, body, id string) string {
	t.Helper()
	i := strings.Index(body, `id="`+id+`"`)
	if i < 0 {
		t.Fatalf("page has no %s panel", id)
	}
	rest := body[i:]
	return rest[:strings.Index(rest, "</section>")]
}

func changed(e store.AuditEntry, field string) (before, after string, ok bool) {
	for _, c := range e.Changes {
		if c.Field == field {
			return c.Before, c.After, true
		}
	}
	return "", "", false
}

// ---- repositories ----

func TestRepositoryChangesAreAuditedAndShownInHistory(t *testing.T) {
	env := webtest.New(t)
	editor := env.NewUser(t, "editor", "")
	env.SignInAs(t, editor)
	name := webtest.Name("audited")

	createRepo(t, env, createForm(name))
	repo := describe(t, env, name)
	e := wantAudit(t, env, "repository.create", repo.ARN, editor.Username, store.OutcomeSuccess)
	if _, after, ok := changed(e, "tagMutability"); !ok || after != `"MUTABLE"` || e.ActorRole != "editor" || e.AWSRequestID == "" {
		t.Errorf("create entry: %+v", e)
	}
	// A refusal by AWS is recorded under the name; a rule broken before
	// AWS is not a change and leaves nothing.
	if r := env.PostForm(t, "/repositories/new", createForm(name)); r.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("duplicate = %d", r.StatusCode)
	}
	failed := wantAudit(t, env, "repository.create", name, editor.Username, store.OutcomeFailure)
	if !strings.Contains(failed.Detail, "RepositoryAlreadyExistsException") {
		t.Errorf("failure detail = %q", failed.Detail)
	}
	bad := webtest.Name("Bad") + "!"
	env.PostForm(t, "/repositories/new", createForm(bad))
	noAudit(t, env, bad)

	if r := env.PostForm(t, "/repositories/-/edit/"+name, url.Values{"tagMutability": {"IMMUTABLE"}, "scanOnPush": {"true"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit = %d", r.StatusCode)
	}
	e = wantAudit(t, env, "repository.update", repo.ARN, editor.Username, store.OutcomeSuccess)
	if b, a, _ := changed(e, "tagMutability"); b != `"MUTABLE"` || a != `"IMMUTABLE"` {
		t.Errorf("update diff: %+v", e.Changes)
	}
	if b, a, _ := changed(e, "scanOnPush"); b != "false" || a != "true" {
		t.Errorf("update diff: %+v", e.Changes)
	}
	policy := `{"Version":"2012-10-17","Statement":[{"Sid":"Pull","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":["ecr:BatchGetImage"]}]}`
	if r := env.PostForm(t, "/repositories/-/policy/"+name, url.Values{"policy": {policy}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("policy = %d", r.StatusCode)
	}
	e = wantAudit(t, env, "repository.policy.put", repo.ARN, editor.Username, store.OutcomeSuccess)
	if _, a, _ := changed(e, "policy.Statement.0.Sid"); a != `"Pull"` {
		t.Errorf("policy diff: %+v", e.Changes)
	}
	lifecycle := `{"rules":[{"rulePriority":1,"selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":14},"action":{"type":"expire"}}]}`
	env.PostForm(t, "/repositories/-/lifecycle/"+name, url.Values{"policy": {lifecycle}})
	wantAudit(t, env, "repository.lifecycle.put", repo.ARN, editor.Username, store.OutcomeSuccess)

	// Deletes are the admin's.
	env.SignInAs(t, env.Admin)
	digest := putImage(t, env, name, "v1", ociManifest(t, 10))
	if r := env.PostForm(t, "/repositories/-/images-delete/"+name, url.Values{"digest": {digest}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("delete image = %d", r.StatusCode)
	}
	e = wantAudit(t, env, "image.delete", repo.ARN, env.Admin.Username, store.OutcomeSuccess)
	if !strings.Contains(e.Detail, digest) || !strings.Contains(e.Detail, "v1") {
		t.Errorf("image delete detail = %q", e.Detail)
	}
	env.PostForm(t, "/repositories/-/policy-delete/"+name, nil)
	wantAudit(t, env, "repository.policy.delete", repo.ARN, env.Admin.Username, store.OutcomeSuccess)
	env.PostForm(t, "/repositories/-/lifecycle-delete/"+name, nil)
	wantAudit(t, env, "repository.lifecycle.delete", repo.ARN, env.Admin.Username, store.OutcomeSuccess)

	// The repository page shows its own history, newest first.
	h := historyOf(t, env.Get(t, "/repositories/"+name).Body, "repository-history")
	for _, want := range []string{"repository.create", "repository.update", "repository.policy.put", "image.delete", editor.Username, env.Admin.Username, "success"} {
		if !strings.Contains(h, want) {
			t.Errorf("history lacks %q", want)
		}
	}
	if strings.Index(h, "repository.lifecycle.delete") > strings.Index(h, "repository.create") {
		t.Error("history is not newest first")
	}

	if r := env.PostForm(t, "/repositories/-/delete/"+name, url.Values{"confirm": {name}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("delete = %d", r.StatusCode)
	}
	wantAudit(t, env, "repository.delete", repo.ARN, env.Admin.Username, store.OutcomeSuccess)
}

func TestRepositoryScope(t *testing.T) {
	env := webtest.New(t)
	scope := webtest.Name("team") + "/"
	inside, outside := scope+"api", webtest.Name("elsewhere")
	createRepo(t, env, createForm(inside))
	createRepo(t, env, createForm(outside))
	scoped := env.NewUser(t, "editor", scope)
	env.SignInAs(t, scoped)

	list := env.Get(t, "/repositories")
	mustContain(t, list.Body, inside)
	if strings.Contains(list.Body, outside) {
		t.Error("the list shows a repository outside the scope")
	}
	for _, path := range []string{"/repositories/" + outside, "/repositories/-/edit/" + outside, "/repositories/-/policy/" + outside} {
		if r := env.Get(t, path); r.StatusCode != http.StatusNotFound {
			t.Errorf("%s = %d, want 404", path, r.StatusCode)
		}
	}
	if r := env.PostForm(t, "/repositories/-/edit/"+outside, url.Values{"tagMutability": {"IMMUTABLE"}}); r.StatusCode != http.StatusNotFound {
		t.Errorf("edit outside = %d", r.StatusCode)
	}
	if describe(t, env, outside).TagMutability != "MUTABLE" {
		t.Error("a repository outside the scope was changed")
	}
	wantAudit(t, env, "access.denied", outside, scoped.Username, store.OutcomeDenied)
	mustContain(t, env.Get(t, "/repositories/"+inside).Body, `id="edit-repository"`)

	r := env.PostForm(t, "/repositories/new", createForm(webtest.Name("loose")))
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(fieldError(r.Body, "name"), "Your scope is "+scope) {
		t.Errorf("create outside = %d, name error %q", r.StatusCode, fieldError(r.Body, "name"))
	}
	createRepo(t, env, createForm(scope+"worker"))
}

// TestButtonsFollowTheRole checks what each role is offered on the home
// page and the three areas' pages (the server refuses the rest anyway).
func TestButtonsFollowTheRole(t *testing.T) {
	env := webtest.New(t)
	repo := webtest.Name("buttons")
	createRepo(t, env, createForm(repo))
	secret := webtest.Name("buttons")
	newSecret(t, env, secret, `{"u":"v"}`)
	family := webtest.Name("buttons")
	td := tdRegister(t, env, `{"family":"`+family+`","containerDefinitions":[{"name":"web","image":"nginx","memory":128}]}`)
	tdRegister(t, env, `{"family":"`+family+`","containerDefinitions":[{"name":"web","image":"nginx","memory":256}]}`)
	if err := clients(env).DeregisterTaskDef(context.Background(), td.ARN); err != nil {
		t.Fatal(err)
	}

	pages := map[string]struct {
		path           string
		edit, del, rev []string
	}{
		"home":         {path: "/", edit: []string{`href="/repositories/new"`, `href="/secrets/new"`, `href="/task-definitions/new"`}},
		"repos":        {path: "/repositories", edit: []string{`href="/repositories/new"`}},
		"repo":         {path: "/repositories/" + repo, edit: []string{`id="edit-repository"`, `>Create</a>`}, del: []string{`id="delete-repository"`}},
		"secrets":      {path: "/secrets", edit: []string{`href="/secrets/new"`}},
		"secret":       {path: view.SecretURL(secret, ""), edit: []string{`id="edit-secret"`, `id="new-value"`}, del: []string{`id="delete-secret"`}, rev: []string{`id="retrieve-value"`}},
		"families":     {path: "/task-definitions", edit: []string{`href="/task-definitions/new"`, `href="/task-definitions/drafts"`}},
		"family":       {path: "/task-definitions/" + family + "?status=INACTIVE", edit: []string{`id="new-revision"`}, del: []string{`id="delete-selected"`}},
		"active rev":   {path: "/task-definitions/" + family + "/2", edit: []string{`id="new-revision"`}, del: []string{`id="deregister"`}},
		"deregistered": {path: "/task-definitions/" + family + "/1", del: []string{`id="delete"`}},
	}
	for _, role := range []string{"viewer", "editor", "admin"} {
		env.SignInAs(t, env.NewUser(t, role, ""))
		for name, p := range pages {
			r := env.Get(t, p.path)
			if r.StatusCode != http.StatusOK {
				t.Fatalf("%s as %s = %d", p.path, role, r.StatusCode)
			}
			check := func(markers []string, want bool) {
				for _, m := range markers {
					if strings.Contains(r.Body, m) != want {
						t.Errorf("%s page as %s: %s shown = %v, want %v", name, role, m, !want, want)
					}
				}
			}
			check(p.edit, role != "viewer")
			check(p.rev, role != "viewer")
			check(p.del, role == "admin")
		}
	}
	// A viewer sees the secret's metadata and is told why there is no value.
	env.SignInAs(t, env.NewUser(t, "viewer", ""))
	r := env.Get(t, view.SecretURL(secret, ""))
	mustContain(t, r.Body, `id="secret-arn"`, "AWSCURRENT", `id="no-reveal"`)
	if strings.Contains(r.Body, "/reveal") {
		t.Error("a viewer's secret page offers retrieving the value")
	}
}

// ---- secrets ----

func TestSecretChangesAreAuditedAndShownInHistory(t *testing.T) {
	env := webtest.New(t)
	editor := env.NewUser(t, "editor", "")
	env.SignInAs(t, editor)
	name := webtest.Name("audited") + "/db"
	const value = "audit-canary-value-81"

	wantRedirect(t, storeSecretWizard(t, env, name, map[string]string{"password": value}, nil), view.SecretURL(name, ""))
	d, err := clients(env).DescribeSecret(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	e := wantAudit(t, env, "secret.create", d.ARN, editor.Username, store.OutcomeSuccess)
	if _, a, _ := changed(e, "description"); a != `"made by a test"` {
		t.Errorf("create diff: %+v", e.Changes)
	}
	page := env.Get(t, view.SecretURL(name, "/new-value"))
	i := strings.Index(page.Body, `name="token" value="`)
	token := page.Body[i+20 : i+20+32]
	wantRedirect(t, env.PostForm(t, view.SecretURL(name, "/new-value"), url.Values{"token": {token}, "mode": {"plaintext"}, "plaintext": {value + "-2"}, "action": {"save"}}), view.SecretURL(name, ""))
	e = wantAudit(t, env, "secret.put-value", d.ARN, editor.Username, store.OutcomeSuccess)
	if e.Detail != "version "+token {
		t.Errorf("put-value detail = %q", e.Detail)
	}
	wantRedirect(t, env.PostForm(t, view.SecretURL(name, "/edit"), url.Values{"description": {"new words"}, "tags.0.key": {"env"}, "tags.0.value": {"prod"}, "action": {"save"}}), view.SecretURL(name, ""))
	e = wantAudit(t, env, "secret.update", d.ARN, editor.Username, store.OutcomeSuccess)
	if b, a, _ := changed(e, "description"); b != `"made by a test"` || a != `"new words"` {
		t.Errorf("update diff: %+v", e.Changes)
	}
	e = wantAudit(t, env, "secret.tag", d.ARN, editor.Username, store.OutcomeSuccess)
	if b, a, _ := changed(e, "tags.env"); b != "" || a != `"prod"` {
		t.Errorf("tag diff: %+v", e.Changes)
	}
	wantStatus(t, env.PostForm(t, view.SecretURL(name, "/reveal"), nil), http.StatusOK)
	wantAudit(t, env, "secret.get-value", d.ARN, editor.Username, store.OutcomeSuccess)

	env.SignInAs(t, env.Admin)
	wantRedirect(t, env.PostForm(t, view.SecretURL(name, "/delete"), url.Values{"days": {"7"}}), view.SecretURL(name, ""))
	e = wantAudit(t, env, "secret.delete", d.ARN, env.Admin.Username, store.OutcomeSuccess)
	if !strings.Contains(e.Detail, "recovery window 7 days") {
		t.Errorf("delete detail = %q", e.Detail)
	}
	// Reading a secret scheduled for deletion fails at AWS: recorded as such.
	wantStatus(t, env.PostForm(t, view.SecretURL(name, "/reveal"), nil), http.StatusConflict)
	wantAudit(t, env, "secret.get-value", name, env.Admin.Username, store.OutcomeFailure)
	wantRedirect(t, env.PostForm(t, view.SecretURL(name, "/restore"), nil), view.SecretURL(name, ""))
	wantAudit(t, env, "secret.restore", d.ARN, env.Admin.Username, store.OutcomeSuccess)

	h := historyOf(t, env.Get(t, view.SecretURL(name, "")).Body, "secret-history")
	for _, want := range []string{"secret.create", "secret.put-value", "secret.update", "secret.tag", "secret.get-value", "secret.delete", "secret.restore", editor.Username, env.Admin.Username} {
		if !strings.Contains(h, want) {
			t.Errorf("history lacks %q", want)
		}
	}
	all, _, _ := env.Store.ListAudit(context.Background(), store.AuditFilter{Resource: name, Limit: 1000})
	b, _ := json.Marshal(all)
	if strings.Contains(string(b), value) {
		t.Fatal("a secret value is in the audit trail")
	}
}

func TestSecretScope(t *testing.T) {
	env := webtest.New(t)
	scope := webtest.Name("team") + "/"
	inside, outside := scope+"db", webtest.Name("elsewhere")
	in := newSecret(t, env, inside, "in")
	newSecret(t, env, outside, "out")
	otherFamily := webtest.Name("other-family")
	tdRegister(t, env, `{"family":"`+otherFamily+`","executionRoleArn":"arn:aws:iam::000000000000:role/ecsTaskExecutionRole","containerDefinitions":[{"name":"web","image":"nginx","memory":128,"secrets":[{"name":"IN","valueFrom":"`+in.ARN+`"}]}]}`)
	scoped := env.NewUser(t, "editor", scope)
	env.SignInAs(t, scoped)

	list := env.Get(t, "/secrets")
	mustContain(t, list.Body, inside)
	if strings.Contains(list.Body, outside) {
		t.Error("the list shows a secret outside the scope")
	}
	if strings.Contains(env.Get(t, "/secrets?name="+outside[:6]).Body, outside) {
		t.Error("a name filter reaches outside the scope")
	}
	for _, path := range []string{view.SecretURL(outside, ""), view.SecretURL(outside, "/edit"), view.SecretURL(outside, "/new-value")} {
		wantStatus(t, env.Get(t, path), http.StatusNotFound)
	}
	wantStatus(t, env.PostForm(t, view.SecretURL(outside, "/reveal"), nil), http.StatusNotFound)
	wantAudit(t, env, "access.denied", outside, scoped.Username, store.OutcomeDenied)
	if es, _, _ := env.Store.ListAudit(context.Background(), store.AuditFilter{Action: "secret.get-value", Actor: scoped.Username}); len(es) != 0 {
		t.Error("a retrieval outside the scope reached AWS")
	}
	wantStatus(t, env.PostForm(t, view.SecretURL(inside, "/reveal"), nil), http.StatusOK)
	// Where-used lists only the scope's families.
	if used := env.Get(t, view.SecretURL(inside, "")+"?usage=1").Body; strings.Contains(used, otherFamily) || !strings.Contains(used, `id="usage-none"`) {
		t.Error("where-used shows a family outside the scope")
	}

	wantRedirect(t, env.PostForm(t, "/secrets/new", url.Values{"preset": {"other"}, "mode": {"plaintext"}, "plaintext": {"x"}, "action": {"next"}}), "/secrets/new/configure")
	r := env.PostForm(t, "/secrets/new/configure", url.Values{"name": {outside + "-new"}, "action": {"next"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	if !strings.Contains(fieldError(r.Body, "name"), "Your scope is "+scope) {
		t.Errorf("name error = %q", fieldError(r.Body, "name"))
	}
	wantRedirect(t, env.PostForm(t, "/secrets/new/configure", url.Values{"name": {scope + "api"}, "action": {"next"}}), "/secrets/new/rotation")
}

// TestSecretWhereUsed finds the task definitions that refer to a secret,
// on request, as the repository page does for images.
func TestSecretWhereUsed(t *testing.T) {
	env := webtest.New(t)
	name := webtest.Name("used") + "/creds"
	ref := newSecret(t, env, name, `{"username":"u","password":"p"}`)
	family := webtest.Name("uses-secret")
	cli := clitest.New(t, env.EmulatorURL)
	cli.MustRun(t, "ecs", "register-task-definition", "--family", family,
		"--execution-role-arn", "arn:aws:iam::000000000000:role/ecsTaskExecutionRole",
		"--container-definitions", `[{"name":"app","image":"nginx","memory":128,"secrets":[{"name":"DB_USER","valueFrom":"`+ref.ARN+`:username::"}]}]`)

	page := env.Get(t, view.SecretURL(name, ""))
	mustContain(t, page.Body, `id="find-usage"`, `action="`+view.SecretURL(name, "")+`#where-used"`)
	if strings.Contains(page.Body, family) {
		t.Error("the search ran without being asked")
	}
	found := env.Get(t, view.SecretURL(name, "")+"?usage=1")
	mustContain(t, found.Body, `href="/task-definitions/`+family+`/1"`, family+":1", "<code>app</code>")

	other := webtest.Name("unused")
	newSecret(t, env, other, "x")
	mustContain(t, env.Get(t, view.SecretURL(other, "")+"?usage=1").Body, `id="usage-none"`)
}

// ---- task definitions ----

func TestTaskDefChangesAreAuditedAndShownInHistory(t *testing.T) {
	env := webtest.New(t)
	editor := env.NewUser(t, "editor", "")
	env.SignInAs(t, editor)
	family := webtest.Name("audited")

	r := env.PostForm(t, "/task-definitions/new", tdValidForm(family, "arn:aws:iam::000000000000:role/ecsTaskExecutionRole"))
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("register = %d\n%s", r.StatusCode, summaryText(r.Body))
	}
	td, err := clients(env).DescribeTaskDef(context.Background(), family+":1")
	if err != nil {
		t.Fatal(err)
	}
	e := wantAudit(t, env, "task-definition.register", td.ARN, editor.Username, store.OutcomeSuccess)
	if _, a, _ := changed(e, "family"); a != `"`+family+`"` {
		t.Errorf("register entry changes: %+v", e.Changes)
	}
	wantAudit(t, env, "logs.create-log-group", "/ecs/"+family, editor.Username, store.OutcomeSuccess)

	// Broken before AWS: nothing recorded.
	broken := tdValidForm(family+"-broken", "")
	broken.Set("containerDefinitions.0.memory", "lots")
	env.PostForm(t, "/task-definitions/new", broken)
	noAudit(t, env, family+"-broken")

	env.SignInAs(t, env.Admin)
	wantRedirect(t, env.PostForm(t, "/task-definitions/"+family+"/1/deregister", url.Values{"confirm": {"yes"}}), "/task-definitions/"+family+"/1")
	wantAudit(t, env, "task-definition.deregister", td.ARN, env.Admin.Username, store.OutcomeSuccess)
	if r := env.PostForm(t, "/task-definitions/"+family+"/delete", url.Values{"rev": {"1"}, "confirm": {"yes"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("delete = %d", r.StatusCode)
	}
	wantAudit(t, env, "task-definition.delete", td.ARN, env.Admin.Username, store.OutcomeSuccess)

	for path, id := range map[string]string{
		"/task-definitions/" + family + "/1":                         "revision-history",
		"/task-definitions/" + family + "?status=DELETE_IN_PROGRESS": "family-history",
	} {
		h := historyOf(t, env.Get(t, path).Body, id)
		for _, want := range []string{"task-definition.register", "task-definition.deregister", "task-definition.delete", editor.Username, env.Admin.Username} {
			if !strings.Contains(h, want) {
				t.Errorf("%s history lacks %q", path, want)
			}
		}
	}
}

// A revision built from another records that one as "before", so the
// entry shows what changed rather than every setting as new.
func TestTaskDefNewRevisionIsAuditedAgainstItsBase(t *testing.T) {
	env := webtest.New(t)
	family := webtest.Name("revised")
	if r := env.PostForm(t, "/task-definitions/new", tdValidForm(family, "arn:aws:iam::000000000000:role/ecsTaskExecutionRole")); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("register = %d\n%s", r.StatusCode, summaryText(r.Body))
	}
	v := builderValues(t, env.Get(t, "/task-definitions/new?from="+family+":1").Body)
	if v.Get("base") != family+":1" {
		t.Fatalf("base = %q", v.Get("base"))
	}
	v.Set("containerDefinitions.0.portMappings.0.containerPort", "8080")
	v.Set("action", "register")
	if r := env.PostForm(t, "/task-definitions/new", v); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("register revision 2 = %d\n%s", r.StatusCode, summaryText(r.Body))
	}
	td, err := clients(env).DescribeTaskDef(context.Background(), family+":2")
	if err != nil {
		t.Fatal(err)
	}
	e := wantAudit(t, env, "task-definition.register", td.ARN, env.Admin.Username, store.OutcomeSuccess)
	want := []store.Change{{Field: "containerDefinitions.0.portMappings.0.containerPort", Before: "80", After: "8080"}}
	if !reflect.DeepEqual(e.Changes, want) || e.Detail != "new revision from "+family+":1" {
		t.Errorf("revision 2 entry: %q %+v, want only %+v", e.Detail, e.Changes, want)
	}
}

func TestTaskDefCreateRoleIsAudited(t *testing.T) {
	env := webtest.New(t)
	page := env.Get(t, "/task-definitions/new")
	v := builderValues(t, page.Body)
	v.Set("action", "confirm-create-role")
	if r := env.PostForm(t, "/task-definitions/new", v); r.StatusCode != http.StatusOK {
		t.Fatalf("create role = %d", r.StatusCode)
	}
	es, _, _ := env.Store.ListAudit(context.Background(), store.AuditFilter{Action: "iam.create-role"})
	if len(es) != 1 || !strings.HasSuffix(es[0].Resource, ":role/"+cloud.TaskExecutionRoleName) || es[0].Actor != env.Admin.Username || es[0].Outcome != store.OutcomeSuccess {
		t.Errorf("iam.create-role entries: %+v", es)
	}
}

func TestTaskDefScope(t *testing.T) {
	env := webtest.New(t)
	scope := webtest.Name("team") + "-"
	inside, outside := scope+"api", webtest.Name("elsewhere")
	doc := func(family string) string {
		return `{"family":"` + family + `","containerDefinitions":[{"name":"web","image":"nginx","memory":128}]}`
	}
	tdRegister(t, env, doc(inside))
	tdRegister(t, env, doc(outside))
	repoIn, repoOut := scope+"img", webtest.Name("other-img")
	tdECRImage(t, env, repoIn, "v1")
	tdECRImage(t, env, repoOut, "v1")
	secretIn, secretOut := scope+"secret", webtest.Name("other-secret")
	tdSecret(t, env, secretIn, "x")
	outARN := tdSecret(t, env, secretOut, `{"username":"u","password":"p"}`)
	scoped := env.NewUser(t, "editor", scope)
	env.SignInAs(t, scoped)

	for path, want := range map[string]string{
		"/task-definitions":                         inside,
		"/task-definitions?status=ALL":              inside,
		"/task-definitions?prefix=" + scope[:5]:     inside,
		"/task-definitions?prefix=" + outside[:6]:   "",
		"/task-definitions?prefix=" + scope + "api": inside,
	} {
		body := env.Get(t, path).Body
		if want != "" && !strings.Contains(body, want) {
			t.Errorf("%s lacks %s", path, want)
		}
		if strings.Contains(body, outside) {
			t.Errorf("%s shows a family outside the scope", path)
		}
		if strings.Contains(body, `href="/task-definitions/`+outside) {
			t.Errorf("%s links a family outside the scope", path)
		}
	}
	for _, path := range []string{"/task-definitions/" + outside, "/task-definitions/" + outside + "/1", "/task-definitions/" + outside + "/latest",
		"/task-definitions/" + outside + "/1/download", "/task-definitions/" + outside + "/diff?rev=1&rev=1", "/task-definitions/new?from=" + outside} {
		wantStatus(t, env.Get(t, path), http.StatusNotFound)
	}
	wantStatus(t, env.Get(t, "/task-definitions/"+inside+"/1"), http.StatusOK)

	// Register outside the scope: refused at the family field.
	r := env.PostForm(t, "/task-definitions/new", tdValidForm(webtest.Name("loose"), "arn:aws:iam::000000000000:role/ecsTaskExecutionRole"))
	wantStatus(t, r, http.StatusUnprocessableEntity)
	if !strings.Contains(r.Body, `id="f-family-error"`) || !strings.Contains(r.Body, "Your scope is "+scope) {
		t.Errorf("register outside the scope: no scope message at the family field")
	}
	// The pickers offer only the scope's repositories and secrets; a forged
	// pick of another secret is ignored, its value never read.
	page := env.Get(t, "/task-definitions/new")
	mustContain(t, page.Body, repoIn, secretIn)
	for _, out := range []string{repoOut, secretOut} {
		if strings.Contains(page.Body, out) {
			t.Errorf("the builder's pickers offer %s, outside the scope", out)
		}
	}
	v := builderValues(t, page.Body)
	v.Set("containerDefinitions.0.pick.credentials", outARN)
	v.Set("action", "pick-credentials:0")
	r = env.PostForm(t, "/task-definitions/new", v)
	if strings.Contains(r.Body, outARN) {
		t.Error("a forged pick of a secret outside the scope was applied")
	}
	if es, _, _ := env.Store.ListAudit(context.Background(), store.AuditFilter{Action: "secret.get-value", Actor: scoped.Username}); len(es) != 0 {
		t.Error("Berth read a secret outside the scope")
	}
}

// TestScopeOnTheOverviewAndFamilies: a person scoped to team/ counts only
// what is theirs on the overview, and the scope's "/" reads as "-" for task
// definition families, whose names cannot contain "/".
func TestScopeOnTheOverviewAndFamilies(t *testing.T) {
	env := webtest.New(t)
	team := webtest.Name("team")
	scope := team + "/"
	createRepo(t, env, createForm(scope+"api"))
	createRepo(t, env, createForm(scope+"worker"))
	createRepo(t, env, createForm(webtest.Name("elsewhere")))
	newSecret(t, env, scope+"db", "v")
	newSecret(t, env, webtest.Name("other"), "v")
	doc := func(family string) string {
		return `{"family":"` + family + `","containerDefinitions":[{"name":"web","image":"nginx","memory":128}]}`
	}
	tdRegister(t, env, doc(team+"-api"))
	tdRegister(t, env, doc(webtest.Name("other")))

	scoped := env.NewUser(t, "viewer", scope)
	env.SignInAs(t, scoped)
	home := env.Get(t, "/").Body
	for card, want := range map[string]string{"card-repos": "2", "card-secrets": "1", "card-families": "1"} {
		i := strings.Index(home, `id="`+card+`"`)
		if i < 0 {
			t.Fatalf("no %s on the overview", card)
		}
		rest := home[i:]
		j := strings.Index(rest, `<span class="count">`)
		if j < 0 || strings.TrimSpace(rest[j+len(`<span class="count">`):][:strings.Index(rest[j+len(`<span class="count">`):], "<")]) != want {
			t.Errorf("%s count: %.120q, want %s", card, rest[j:], want)
		}
	}
	if r := env.Get(t, "/task-definitions/"+team+"-api"); r.StatusCode != http.StatusOK {
		t.Errorf("family %s-api inside scope %s: %d", team, scope, r.StatusCode)
	}
}
