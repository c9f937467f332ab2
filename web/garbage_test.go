package web_test

// TestGarbageInput walks the whole routing table, signed in as an admin,
// and sends every route awkward input: path parts that name nothing, are
// too long, are not UTF-8 names, climb directories or are numbers out of
// range; query strings with bad tokens, pages, dates and filters; forms
// with every field the handlers read set to empty, long, unicode, JSON
// garbage, out-of-range numbers and repeated values. Berth's rule is that
// bad input gets a clear answer: no route may answer 500 (a handler error
// or a recovered panic) whatever it is sent. A 502 or 503 that explains an
// AWS refusal is allowed: the emulator may rightly refuse what Berth passed
// on.

import (
	"fmt"
	"html"
	"io"
	"maps"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/oauth2-proxy/mockoidc"

	"github.com/berthhq/berth/internal/auth"
	"github.com/berthhq/berth/static"
	"github.com/berthhq/berth/web"
	"github.com/berthhq/berth/web/webtest"
)

// garbageValues are awkward values for any text a person can type.
var garbageValues = []string{
	"", " ", "0", "-1", "1.5", "99999999999999999999", "-99999999999999999999",
	strings.Repeat("a", 3000), "ünïcødé ☃ 𝄞 مرحبا", "../../etc/passwd", "a%2Fb",
	`{"a":`, `[1,2`, "<script>alert(1)</script>", "a\x00b", "line\r\nbreak",
	`[(*+?\`, "arn:aws:ecs:us-east-1:000000000000:task-definition/x:99999999999999999999",
	"true", "on", "null",
}

// garbageFields are the names of every form field the handlers read (see
// web/form and the PostFormValue calls), with rows at awkward indexes.
var garbageFields = func() []string {
	fields := strings.Fields(`
		view json base draft extra confirm force rev region return next
		username password current role scope local_sign_in token
		name visibility tagMutability exclusions.0 exclusions.1 exclusions.19 scanOnPush encryption kmsKey kmsKeyArn
		tags.0.key tags.0.value tags.1.key tags.999.key tags.-1.key tags.99999999999999999999.value
		digest tag policy
		preset mode plaintext kms_key kms_key_custom
		password.length password.exclude password.exclude_numbers password.exclude_punctuation
		password.exclude_uppercase password.exclude_lowercase password.include_space password.require_each
		kv.0.key kv.0.value kv.1.key kv.1.value kv.999.value
		description rotation schedule rotation_days rotation_expression rotation_window rotation_lambda rotate_immediately days
		family requiresCompatibilities runtimePlatform networkMode cpu memory taskRoleArn executionRoleArn
		ephemeralStorage.sizeInGiB proxyConfiguration.enabled proxyConfiguration.containerName
		proxyConfiguration.properties.0.key proxyConfiguration.properties.0.value secretFilter
		containerDefinitions.-1.name containerDefinitions.999.name containerDefinitions.99999999999999999999.name
		volumes.0.name volumes.0.type volumes.0.host.sourcePath volumes.0.scope volumes.0.driver volumes.0.autoprovision
		volumes.0.fileSystemId volumes.0.rootDirectory volumes.0.transitEncryption volumes.0.accessPointId volumes.0.iam
		volumes.999.name`)
	for _, f := range strings.Fields(`
		name image essential privateRegistry repositoryCredentials.credentialsParameter cpu gpu memory memoryReservation
		logDriver logOptions.0.key logOptions.0.value firelensConfiguration.type
		healthCheck.command healthCheck.interval healthCheck.timeout healthCheck.retries healthCheck.startPeriod
		entryPoint command workingDirectory restartPolicy.enabled restartPolicy.ignoredExitCodes restartPolicy.restartAttemptPeriod
		readonlyRootFilesystem dockerLabels.0.key dockerLabels.0.value extra
		portMappings.0.containerPort portMappings.0.hostPort portMappings.0.protocol portMappings.0.name
		portMappings.0.appProtocol portMappings.0.containerPortRange portMappings.0.keep portMappings.999.containerPort
		env.0.name env.0.type env.0.value env.0.keep env.1.type env.1.value
		environmentFiles.0.value environmentFiles.0.keep
		ulimits.0.name ulimits.0.softLimit ulimits.0.hardLimit ulimits.0.keep
		dependsOn.0.containerName dependsOn.0.condition dependsOn.0.keep
		mountPoints.0.sourceVolume mountPoints.0.containerPath mountPoints.0.readOnly mountPoints.0.keep
		pick.repository pick.tag pick.credentials pick.env pick.envName pick.envKey pick.secretFilter`) {
		fields = append(fields, "containerDefinitions.0."+f, "containerDefinitions.1."+f)
	}
	return fields
}()

// garbageActions are the values of the submit buttons named "action" (and
// "add") with row paths and indexes that point nowhere.
var garbageActions = []string{
	"next", "back", "save", "refresh", "register", "view-json", "view-form", "view-kv", "view-plaintext",
	"preset", "add-row", "add-tag", "create-role", "bogus", "",
	"add:", "add:containerDefinitions", "add:volumes", "add:tags", "add:containerDefinitions.0.portMappings",
	"add:containerDefinitions.99999999999999999999.env", "add:containerDefinitions.-1.env", "add:containerDefinitions.5.ulimits",
	"add:containerDefinitions.0.bogus", "add:containerDefinitions.0", "add:proxyConfiguration.properties",
	"remove:", "remove:0", "remove:-1", "remove:99999999999999999999", "remove:abc",
	"remove:containerDefinitions.0", "remove:containerDefinitions.-1", "remove:containerDefinitions.99999999999999999999",
	"remove:containerDefinitions.0.portMappings.5", "remove:containerDefinitions.0.portMappings.-1",
	"remove:volumes.0", "remove:tags.99999999999999999999", "remove:containerDefinitions",
	"remove-tag:", "remove-tag:-1", "remove-tag:0", "remove-tag:99999999999999999999", "remove-tag:abc",
	"generate:", "generate:-1", "generate:0", "generate:999", "generate:99999999999999999999",
	"pick-image:", "pick-image:0", "pick-image:-1", "pick-image:99999999999999999999",
	"pick-credentials:0", "pick-credentials:5", "pick-env-secret:0", "pick-env-secret:abc",
	"filter-secrets:0", "filter-secrets:-1", "filter-secrets:99999999999999999999", "filter-secrets:abc",
	"exclusion", "tag",
}

// garbageJSON are texts for the builder's JSON tab.
var garbageJSON = []string{
	"", `{"a":`, "[]", "null", `"text"`, "42", `{"family": 5}`, `{"containerDefinitions": {}}`,
	`{"containerDefinitions": [null]}`, `{"containerDefinitions": [{"portMappings": [{"containerPort": 99999999999999999999}]}]}`,
	`{"cpu": 1e309}`, `{"family": "x", "containerDefinitions": [{"name": "a", "memory": -1}], "volumes": [null]}`,
	`{"family":"x","containerDefinitions":[{"name":"a","image":"i","environment":[{"name":null}],"secrets":[1],"dockerLabels":[]}]}`,
	strings.Repeat("[", 20000) + strings.Repeat("]", 20000), `{"family": "` + strings.Repeat("ü", 30000) + `"}`,
}

// garbageQuery are query strings for GET routes.
func garbageQuery(existingDigest string) []url.Values {
	keys := strings.Fields(`token page p after status sort q ns prefix before from to actor action resource images
		tab draft all usage key digest tag preset next name description tag_key tag_value deleted state code error base rev`)
	var out []url.Values
	for _, g := range garbageValues {
		v := url.Values{}
		for _, k := range keys {
			v.Set(k, g)
		}
		out = append(out, v)
	}
	dup := url.Values{}
	for _, k := range keys {
		dup[k] = []string{"1", "-1", strings.Repeat("b", 3000)}
	}
	return append(out, dup,
		url.Values{"token": {"garbage"}}, url.Values{"page": {"garbage"}}, url.Values{"after": {"garbage"}},
		url.Values{"page": {"-1"}}, url.Values{"p": {"-1"}}, url.Values{"p": {"last"}}, url.Values{"p": {"99999999999999999999"}},
		url.Values{"p": {"2"}, "after": {"garbage"}}, url.Values{"after": {"", "x", strings.Repeat("t", 3000)}},
		url.Values{"status": {"BOGUS"}}, url.Values{"sort": {"BOGUS"}}, url.Values{"q": {`[(*+?\`}, "ns": {`[(`}},
		url.Values{"before": {"abc"}}, url.Values{"before": {"-1"}}, url.Values{"before": {"99999999999999999999"}},
		url.Values{"from": {"2024-02-30"}, "to": {"2024-13-45"}}, url.Values{"from": {"9999-12-31"}, "to": {"0000-01-01"}},
		url.Values{"from": {"arn:aws:ecs:us-east-1:000000000000:task-definition/missing:1"}},
		url.Values{"rev": {"1", "99999"}}, url.Values{"rev": {"1", "1"}}, url.Values{"rev": {"1", "2", "3"}},
		url.Values{"usage": {"1"}, "key": {`[garbage`}}, url.Values{"digest": {existingDigest}, "tag": {"garbage"}},
		url.Values{"next": {"//evil.example"}}, url.Values{"next": {"javascript:alert(1)"}},
		url.Values{"name": {"%"}, "deleted": {"true"}, "tag_key": {"a\x00"}},
	)
}

// gCase is one request of the walk.
type gCase struct {
	route string // method and pattern, to group the report
	label string // what is awkward about it
	// method and path (as sent on the request line, already escaped)
	method, path string
	body         string
	contentType  string
	client       *http.Client
	// prepare runs before the request (a wizard that must be at a step).
	prepare func() error
	// typed, when set, must be in the form if it comes back (200 or 422).
	typed string
	// state, when set, replaces "{state}" in the path: single sign-on's
	// state, which prepare learns.
	state *string
}

// typedMarker is typed into one field at a time: a form shown again must
// show it again.
const typedMarker = `ü☃{"a":[<`

// notShownBack are the fields a form does not show as typed: choices
// (radio buttons, selects, checkboxes, the hidden markers of rows) show
// their options, and passwords are never sent back.
var notShownBack = regexp.MustCompile(`(^|\.)(keep|privateRegistry|proxyConfiguration\.enabled|encryption|scanOnPush|tagMutability|visibility|networkMode|requiresCompatibilities|role|password)$`)

// short shows a value in a report without flooding it.
func short(s string) string {
	if len(s) > 40 {
		return fmt.Sprintf("%q…(%d bytes)", s[:20], len(s))
	}
	return fmt.Sprintf("%q", s)
}

func describeForm(v url.Values) string {
	if len(v) == 0 {
		return "empty form"
	}
	seen := map[string]int{}
	for _, vals := range v {
		seen[short(strings.Join(vals, "|"))]++
	}
	var parts []string
	for val, n := range seen {
		parts = append(parts, fmt.Sprintf("%d fields=%s", n, val))
	}
	sort.Strings(parts)
	if len(parts) > 4 {
		parts = append(parts[:4], "…")
	}
	if a := v.Get("action"); a != "" {
		parts = append([]string{"action=" + short(a)}, parts...)
	}
	return strings.Join(parts, ", ")
}

// garbageClient is a client of its own session, signed in as acct.
func garbageClient(t *testing.T, env *webtest.Env, acct *webtest.Account) *http.Client {
	t.Helper()
	saved := env.Client.Jar
	if acct != nil {
		env.SignInAs(t, *acct)
	} else {
		env.Client.Jar, _ = cookiejar.New(nil)
	}
	c := &http.Client{Jar: env.Client.Jar, CheckRedirect: env.Client.CheckRedirect}
	env.Client.Jar = saved
	return c
}

var (
	draftIDRE = regexp.MustCompile(`name="draft" value="([^"]+)"`)
	problemRE = regexp.MustCompile(`Berth (?:could not complete this request|hit an internal error)[^<\n]*`)
	// The 502 pages: awsFailure's, and the lists that explain a failed call in place.
	awsProblemRE = regexp.MustCompile(`AWS refused the request[^<]*|<p[^>]*role="alert"[^>]*>[^<]*`)
)

func TestGarbageInput(t *testing.T) {
	// Sign-in is limited per address; the walk signs in several sessions
	// and then sends the sign-in form garbage, which must reach the checks.
	// Single sign-on has a provider (a mock), so that its callback gets
	// past "not configured" to the state, error and code it is sent.
	provider, err := mockoidc.Run()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { provider.Shutdown() })
	cfg := provider.Config()
	oidc := auth.NewOIDC(auth.OIDCConfig{Issuer: cfg.Issuer, ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret})
	env := webtest.NewWith(t, webtest.Options{Auth: web.AuthOptions{AddressAttempts: 1 << 20, AccountAttempts: 1 << 20, OIDC: oidc, OIDCIssuer: cfg.Issuer}})
	oidc.SetRedirectURL(env.URL + "/auth/oidc/callback")

	// One of each resource, so that path parameters can name something real.
	repo := webtest.Name("garbage") + "/repo"
	createRepo(t, env, createForm(repo))
	digest := putImage(t, env, repo, "v1", dockerManifest(t, 10))
	secretName := webtest.Name("garbage") + "/secret"
	secret := newSecret(t, env, secretName, `{"username":"u","password":"p"}`)
	family := webtest.Name("garbage")
	for range 2 {
		tdRegister(t, env, `{"family":"`+family+`","containerDefinitions":[{"name":"app","image":"busybox","memory":128}]}`)
	}
	draftID := garbageDraft(t, env, url.Values{"view": {"form"}, "family": {family}})
	// Discarding the draft ends it: that route discards one of its own.
	discardID := garbageDraft(t, env, url.Values{"view": {"form"}, "family": {family}})
	// Drafts hold whatever was typed: their pages must cope with any of it.
	awkwardDrafts := []struct{ label, raw string }{
		{"draft of an unparsed JSON tab", garbageDraft(t, env, url.Values{"view": {"json"}, "json": {`{"a":`}})},
		{"draft without a family", garbageDraft(t, env, url.Values{"view": {"form"}})},
	}
	for _, g := range garbageValues {
		awkwardDrafts = append(awkwardDrafts, struct{ label, raw string }{
			"draft with family " + short(g), garbageDraft(t, env, url.Values{"view": {"form"}, "family": {g}, "containerDefinitions.0.image": {g}}),
		})
	}
	// /users/{username} acts on another account than the one walking.
	victim := env.NewUser(t, "editor", "")
	// Signing out ends a session: those routes get an admin of their own.
	other := env.NewUser(t, "admin", "")
	main := env.Client
	// The state of the callback lane's last login (that lane runs one
	// request at a time).
	var oidcState string

	existing := map[string]string{
		"{name}": url.PathEscape(secretName), "*": repo, "{family}": url.PathEscape(family), "{revision}": "1",
		"{id}": draftID, "{username}": url.PathEscape(victim.Username),
		// No setup link exists once an admin does: every token is wrong.
		"{token}": "0123456789abcdef0123456789abcdef",
	}
	pathValues := []struct{ label, raw string }{
		{"missing", webtest.Name("missing")}, {"3000 characters", strings.Repeat("a", 3000)},
		{"escaped unicode", url.PathEscape("ünïcødé ☃ 𝄞")}, {"raw unicode", "ünïcødé"},
		{"../..", "../.."}, {"escaped ../..", "..%2F..%2Fetc"}, {"escaped slash", "a%2Fb"}, {"lone escaped slash", "%2F"},
		{"empty", ""}, {"0", "0"}, {"-1", "-1"}, {"huge number", "99999999999999999999"}, {"1.5", "1.5"},
		{"NUL", "%00"}, {"percent", "%25"}, {"newline", "%0A"}, {"space", "%20"}, {"dash", "-"}, {"new", "new"},
		{"drafts", "drafts"}, {"json garbage", url.PathEscape(`{"a":`)},
	}
	extraValues := map[string][]struct{ label, raw string }{
		"*": {
			{"existing with /-", repo + "/-"}, {"existing with more segments", repo + "/x/y"}, {"dash segment", "-/x"},
			{"trailing slash", repo + "/"}, {"double slash", "a//b"},
		},
	}

	// Valid forms of the routes that change nothing irreversibly (deletes,
	// sign-outs and password changes are left to the garbage above), and
	// the fields to spoil one by one.
	builderFields := []string{}
	for _, f := range garbageFields {
		if !strings.HasPrefix(f, "containerDefinitions.1.") && !strings.Contains(f, "pick.") && !strings.Contains(f, "999") && !strings.Contains(f, "-1") {
			builderFields = append(builderFields, f)
		}
	}
	bases := map[string]struct {
		form   url.Values
		fields []string
	}{
		"/task-definitions/new": {tdValidForm(webtest.Name("garbage"), "arn:aws:iam::000000000000:role/ecsTaskExecutionRole"), builderFields},
		"/repositories/new": {createForm(webtest.Name("garbage")),
			strings.Fields("name tagMutability exclusions.0 scanOnPush encryption kmsKey kmsKeyArn tags.0.key tags.0.value visibility")},
		"/repositories/-/edit/*":      {url.Values{"tagMutability": {"MUTABLE"}, "scanOnPush": {"on"}}, strings.Fields("tagMutability exclusions.0 scanOnPush")},
		"/repositories/-/policy/*":    {url.Values{"policy": {`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"ecr:*"}]}`}}, []string{"policy"}},
		"/repositories/-/lifecycle/*": {url.Values{"policy": {`{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":5},"action":{"type":"expire"}}]}`}}, []string{"policy"}},
		"/secrets/new": {url.Values{"preset": {"other"}, "mode": {"kv"}, "kv.0.key": {"k"}, "kv.0.value": {"v"}, "action": {"next"}},
			strings.Fields("preset mode plaintext kms_key kms_key_custom password.length password.exclude kv.0.key kv.0.value action")},
		"/secrets/new/configure": {url.Values{"name": {webtest.Name("garbage-wizard")}, "action": {"next"}},
			strings.Fields("name description tags.0.key tags.0.value policy action")},
		"/secrets/new/rotation": {url.Values{"rotation": {"on"}, "schedule": {"days"}, "rotation_days": {"30"}, "action": {"next"},
			"rotation_lambda": {"arn:aws:lambda:us-east-1:000000000000:function:rotate"}},
			strings.Fields("rotation schedule rotation_days rotation_expression rotation_window rotation_lambda rotate_immediately action")},
		"/secrets/{name}/new-value": {url.Values{"mode": {"kv"}, "kv.0.key": {"k"}, "kv.0.value": {"v"}},
			strings.Fields("mode plaintext kv.0.key kv.0.value token action password.length")},
		"/secrets/{name}/edit":       {url.Values{"description": {"d"}}, strings.Fields("description kms_key kms_key_custom tags.0.key tags.0.value action")},
		"/users":                     {url.Values{"username": {webtest.Name("garbage")}, "password": {"garbage-correct-horse"}, "role": {"viewer"}}, strings.Fields("username password role scope")},
		"/users/{username}/role":     {url.Values{"role": {"viewer"}}, strings.Fields("role scope")},
		"/users/{username}/password": {url.Values{"password": {"garbage-correct-horse"}}, []string{"password"}},
		"/sign-in":                   {url.Values{"username": {other.Username}, "password": {other.Password}, "next": {"/"}}, strings.Fields("username password next")},
		"/settings":                  {url.Values{"local_sign_in": {"on"}}, []string{"local_sign_in"}},
	}
	oneAtATime := []string{"", "-1", "99999999999999999999", strings.Repeat("ü", 3000), typedMarker}

	// The garbage forms, encoded once: every POST route gets them all.
	type garbageForm struct {
		label, body string
		withActions bool
	}
	var garbageForms []garbageForm
	for _, g := range garbageValues {
		v := url.Values{}
		for _, f := range garbageFields {
			v.Set(f, g)
		}
		garbageForms = append(garbageForms, garbageForm{describeForm(v), v.Encode(), true})
	}
	// 100 KB in each field, a few fields at a time (a form is at most 2 MiB).
	long := strings.Repeat("x", 100<<10)
	for i := 0; i < len(garbageFields); i += 15 {
		v := url.Values{}
		some := garbageFields[i:min(i+15, len(garbageFields))]
		for _, f := range some {
			v.Set(f, long)
		}
		garbageForms = append(garbageForms, garbageForm{"100 KB in " + strings.Join(some, ", "), v.Encode(), false})
	}
	// Arrays where one value is expected.
	for _, pair := range [][]string{{"1", "-1"}, {"", "x"}, {strings.Repeat("a", 3000), ""}, {"on", "off"}} {
		v := url.Values{}
		for _, f := range garbageFields {
			v[f] = pair
		}
		garbageForms = append(garbageForms, garbageForm{"every field twice: " + short(pair[0]) + ", " + short(pair[1]), v.Encode(), true})
	}
	threeMB := "name=" + strings.Repeat("y", 3<<20)

	var cases []gCase
	add := func(c gCase) {
		if c.client == nil {
			c.client = main
		}
		cases = append(cases, c)
	}
	// fill puts raw in param and what exists in the other parameters.
	fill := func(pattern string, existing map[string]string, param, raw string) string {
		p := pattern
		for k, v := range existing {
			if k != param {
				p = strings.Replace(p, k, v, 1)
			}
		}
		return strings.Replace(p, param, raw, 1)
	}

	for _, rt := range env.Server.Routes() {
		route := rt.Method + " " + rt.Pattern
		client := main
		var prepare func() error
		switch {
		case strings.HasPrefix(rt.Pattern, "/sign-out"):
			// Each sign-out ends its session: later cases run signed out.
			client = garbageClient(t, env, &other)
		case rt.Pattern == "/auth/oidc/callback":
			// The callback comes after a login, which leaves its state in
			// the session: each request starts one, and "{state}" in the
			// query stands for its state.
			client = garbageClient(t, env, nil)
			prepare = func() error {
				var err error
				oidcState, err = oidcLogin(env, client)
				return err
			}
		case rt.Perm == "public" && rt.Pattern != "/healthz" && rt.Pattern != "/readyz" && rt.Pattern != "/metrics":
			// Sign-in, setup and single sign-on are for people signed out.
			client = garbageClient(t, env, nil)
		case strings.HasPrefix(rt.Pattern, "/secrets/new"):
			// The wizard lives in the session: each step gets its own,
			// brought to that step before every request.
			client = garbageClient(t, env, &env.Admin)
			prepare = secretWizardTo(env, client, rt.Pattern)
		}
		existing := maps.Clone(existing)
		extraValues := maps.Clone(extraValues)
		switch rt.Pattern {
		case "/static/*":
			existing["*"] = strings.TrimPrefix(static.Path("css/berth.css"), "/static/")
		case "/task-definitions/drafts/{id}/discard":
			existing["{id}"] = discardID
		case "/task-definitions/drafts/{id}/diff":
			extraValues["{id}"] = awkwardDrafts
		}

		emptyBody := func() (string, string) {
			if rt.Method == http.MethodGet {
				return "", ""
			}
			return "", "application/x-www-form-urlencoded"
		}
		b, ct := emptyBody()
		base := fill(rt.Pattern, existing, "", "")
		if strings.Contains(base, "{") {
			t.Errorf("%s: the walk names nothing for a parameter of this route; add it to existing", route)
		}
		add(gCase{route: route, label: "as is", method: rt.Method, path: base, body: b, contentType: ct, client: client, prepare: prepare})

		// Path parameters, one at a time, the others naming what exists.
		var params []string
		for p := range existing {
			if strings.Contains(rt.Pattern, p) && (p != "*" || strings.HasSuffix(rt.Pattern, "*")) {
				params = append(params, p)
			}
		}
		sort.Strings(params)
		for _, p := range params {
			vals := append(append([]struct{ label, raw string }{}, pathValues...), extraValues[p]...)
			for _, v := range vals {
				add(gCase{route: route, label: p + " " + v.label, method: rt.Method, path: fill(rt.Pattern, existing, p, v.raw), body: b, contentType: ct, client: client, prepare: prepare})
			}
		}

		if rt.Method == http.MethodGet {
			for _, q := range garbageQuery(digest) {
				add(gCase{route: route, label: "query " + describeForm(q), method: rt.Method, path: base + "?" + q.Encode(), client: client, prepare: prepare})
			}
			if rt.Pattern == "/auth/oidc/callback" {
				for _, g := range garbageValues {
					for _, k := range []string{"code", "error"} {
						add(gCase{route: route, label: "right state, " + k + "=" + short(g), method: rt.Method,
							path: base + "?state={state}&" + url.Values{k: {g}}.Encode(), client: client, prepare: prepare, state: &oidcState})
					}
				}
			}
			continue
		}

		post := func(label string, v url.Values) {
			add(gCase{route: route, label: label, method: rt.Method, path: base, body: v.Encode(),
				contentType: "application/x-www-form-urlencoded", client: client, prepare: prepare})
		}
		for _, gf := range garbageForms {
			// Routes with buttons named action get the fields with the
			// buttons that read them (Create, Next, Save).
			if readsAction(rt.Pattern) && gf.withActions {
				for _, a := range []string{"", "next", "register"} {
					prefix := url.Values{"action": {a}, "add": {a}}.Encode() + "&"
					add(gCase{route: route, label: "action " + short(a) + ", " + gf.label, method: rt.Method, path: base, body: prefix + gf.body,
						contentType: "application/x-www-form-urlencoded", client: client, prepare: prepare})
				}
				continue
			}
			add(gCase{route: route, label: gf.label, method: rt.Method, path: base, body: gf.body,
				contentType: "application/x-www-form-urlencoded", client: client, prepare: prepare})
		}
		// The same resource picked by the builder's pickers, and the
		// secret's real ARN where an ARN is read.
		post("pickers with real resources", url.Values{
			"containerDefinitions.0.name": {"app"}, "containerDefinitions.0.pick.repository": {repo},
			"containerDefinitions.0.pick.credentials": {secret.ARN}, "containerDefinitions.0.pick.env": {secret.ARN},
			"containerDefinitions.0.pick.envKey": {"[("}, "action": {"pick-env-secret:0"},
		})
		if readsAction(rt.Pattern) {
			for _, a := range garbageActions {
				post("action "+short(a), url.Values{"action": {a}, "add": {a}})
				v := url.Values{}
				for _, f := range garbageFields {
					v.Set(f, "-1")
				}
				v.Set("action", a)
				v.Set("add", a)
				post("action "+short(a)+" with every field -1", v)
			}
		}
		if rt.Pattern == "/task-definitions/new" {
			for _, j := range garbageJSON {
				for _, a := range []string{"", "register", "view-form", "add:containerDefinitions", "remove:containerDefinitions.0", "pick-image:0"} {
					post("JSON tab "+short(j)+" action "+short(a), url.Values{"view": {"json"}, "json": {j}, "action": {a}, "draft": {draftID}})
				}
			}
		}
		// A form that would pass, with one field at a time made awkward, to
		// reach what runs after the checks.
		if bf, ok := bases[rt.Pattern]; ok {
			for _, f := range bf.fields {
				for _, g := range oneAtATime {
					v := url.Values{}
					for k, vals := range bf.form {
						v[k] = vals
					}
					v.Set(f, g)
					c := gCase{route: route, label: "valid form but " + f + "=" + short(g), method: rt.Method, path: base, body: v.Encode(),
						contentType: "application/x-www-form-urlencoded", client: client, prepare: prepare}
					if g == typedMarker && !notShownBack.MatchString(f) {
						c.typed = g
					}
					add(c)
				}
			}
		}
		// Bodies that are not forms.
		for _, raw := range []struct{ label, body, ct string }{
			{"bad escapes", "a=%zz&b=%&%%%", "application/x-www-form-urlencoded"},
			{"JSON body", `{"a":`, "application/json"},
			{"multipart without boundary", "--x\r\n", "multipart/form-data"},
			{"3 MB form", threeMB, "application/x-www-form-urlencoded"},
		} {
			add(gCase{route: route, label: raw.label, method: rt.Method, path: base, body: raw.body, contentType: raw.ct, client: client, prepare: prepare})
		}
	}

	type failure struct {
		c       gCase
		status  int
		problem string
	}
	var (
		mu       sync.Mutex
		failures []failure
		refused  = map[string]int{}
	)
	// Cases of one route run in order (a wizard's steps share a session);
	// routes run side by side.
	lanes := map[string][]gCase{}
	var order []string
	for _, c := range cases {
		if _, ok := lanes[c.route]; !ok {
			order = append(order, c.route)
		}
		lanes[c.route] = append(lanes[c.route], c)
	}
	work := make(chan string)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for route := range work {
				for _, c := range lanes[route] {
					status, body, err := sendGarbage(env, c)
					mu.Lock()
					switch {
					case err != nil:
						failures = append(failures, failure{c, 0, err.Error()})
					case strings.Contains(body, "Something went wrong"),
						status >= 500 && status != http.StatusBadGateway && status != http.StatusServiceUnavailable,
						status >= 500 && awsProblemRE.FindString(body) == "":
						p := problemRE.FindString(body)
						if p == "" {
							p = short(body)
						}
						failures = append(failures, failure{c, status, p})
					case c.typed != "" && (status == http.StatusOK || status == http.StatusUnprocessableEntity) && !strings.Contains(body, html.EscapeString(c.typed)):
						failures = append(failures, failure{c, status, "the form came back without what was typed"})
					case status >= 500:
						refused[fmt.Sprintf("%s with %s: %d %s", c.route, c.label, status, awsProblemRE.FindString(body))]++
					}
					mu.Unlock()
				}
			}
		})
	}
	// The longest lanes first, so that none is left running alone at the end.
	sort.SliceStable(order, func(i, j int) bool { return len(lanes[order[i]]) > len(lanes[order[j]]) })
	for _, route := range order {
		work <- route
	}
	close(work)
	wg.Wait()

	t.Logf("%d requests over %d routes; %d answered with an explained AWS refusal", len(cases), len(order), len(refused))
	for k := range refused {
		t.Logf("AWS refused: %s", k)
	}
	sort.Slice(failures, func(i, j int) bool { return failures[i].c.route < failures[j].c.route })
	for _, f := range failures {
		t.Errorf("%s with %s (path %s): status %d: %s", f.c.route, f.c.label, short(f.c.path), f.status, f.problem)
	}
	if len(failures) > 0 {
		t.Logf("server log of the failures:\n%s", grepLines(env.Logs.String(), "handler failed", "panic"))
	}
}

// garbageDraft saves a builder draft of these values and returns its id.
func garbageDraft(t *testing.T, env *webtest.Env, v url.Values) string {
	t.Helper()
	v.Set("action", "save")
	r := env.PostForm(t, "/task-definitions/new", v)
	m := draftIDRE.FindStringSubmatch(r.Body)
	if m == nil {
		t.Fatalf("no draft id in the builder's answer (%d)", r.StatusCode)
	}
	return url.PathEscape(m[1])
}

// readsAction reports whether a POST route has submit buttons named action
// (or add): the builder, the secret wizard's steps and forms with rows.
func readsAction(pattern string) bool {
	switch pattern {
	case "/task-definitions/new", "/secrets/new", "/secrets/new/configure", "/secrets/new/rotation", "/secrets/new/review",
		"/secrets/{name}/new-value", "/secrets/{name}/edit", "/repositories/new", "/repositories/-/edit/*":
		return true
	}
	return false
}

// secretWizardTo returns a function that starts a fresh wizard in client's
// session and brings it to the step of pattern.
func secretWizardTo(env *webtest.Env, client *http.Client, pattern string) func() error {
	paths := []string{"/secrets/new", "/secrets/new/configure", "/secrets/new/rotation"}
	n := map[string]int{"/secrets/new/configure": 1, "/secrets/new/rotation": 2, "/secrets/new/review": 3, "/secrets/new/cancel": 1}[pattern]
	if n == 0 {
		return nil
	}
	return func() error {
		steps := []url.Values{
			{"preset": {"other"}, "mode": {"kv"}, "action": {"next"}, "kv.0.key": {"k"}, "kv.0.value": {"v"}},
			{"name": {webtest.Name("garbage-wizard")}, "action": {"next"}},
			{"action": {"next"}},
		}
		for i := range n {
			req, _ := http.NewRequest(http.MethodPost, env.URL+paths[i], strings.NewReader(steps[i].Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Origin", env.URL)
			req.Header.Set("Sec-Fetch-Site", "same-origin")
			resp, err := client.Do(req)
			if err != nil {
				return err
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusSeeOther {
				return fmt.Errorf("wizard step %d: status %d", i+1, resp.StatusCode)
			}
		}
		return nil
	}
}

// oidcLogin starts single sign-on in client's session and returns the
// state it sends to the provider.
func oidcLogin(env *webtest.Env, client *http.Client) (string, error) {
	req, _ := http.NewRequest(http.MethodGet, env.URL+"/auth/oidc/login", nil)
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	resp.Body.Close()
	to, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || resp.StatusCode != http.StatusFound {
		return "", fmt.Errorf("single sign-on login: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	return to.Query().Get("state"), nil
}

// sendGarbage sends one case as a browser on Berth's origin would, the
// path exactly as given (no cleaning, no re-escaping).
func sendGarbage(env *webtest.Env, c gCase) (int, string, error) {
	if c.prepare != nil {
		if err := c.prepare(); err != nil {
			return 0, "", fmt.Errorf("preparing: %w", err)
		}
	}
	var body io.Reader
	if c.method != http.MethodGet {
		body = strings.NewReader(c.body)
	}
	req, err := http.NewRequest(c.method, env.URL+"/", body)
	if err != nil {
		return 0, "", err
	}
	req.URL.Opaque = c.path
	if c.state != nil {
		req.URL.Opaque = strings.Replace(c.path, "{state}", url.QueryEscape(*c.state), 1)
	}
	req.Header.Set("Accept", "text/html")
	if c.method != http.MethodGet {
		req.Header.Set("Content-Type", c.contentType)
		req.Header.Set("Origin", env.URL)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

func grepLines(s string, words ...string) string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		for _, w := range words {
			if strings.Contains(line, w) {
				if len(line) > 600 {
					line = line[:600] + "…"
				}
				out = append(out, line)
				break
			}
		}
	}
	return strings.Join(out, "\n")
}
