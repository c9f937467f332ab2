package web_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	ggcrname "github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/berthhq/berth/internal/cloud"
	"github.com/berthhq/berth/internal/emulator/clitest"
	"github.com/berthhq/berth/web"
	"github.com/berthhq/berth/web/form"
	"github.com/berthhq/berth/web/webtest"
)

// ---- helpers ----

var tagRE = regexp.MustCompile(`<[^>]+>`)

// fieldError returns the text of a field's error block ("" when none).
func fieldError(body, field string) string { return fieldErrorByID(body, form.ID(field)) }

// fieldErrorByID is fieldError for the input with this id ("f-…").
func fieldErrorByID(body, id string) string {
	i := strings.Index(body, `id="`+id+`-error"`)
	if i < 0 {
		return ""
	}
	rest := body[i:]
	rest = rest[strings.IndexByte(rest, '>')+1:]
	rest = rest[:strings.Index(rest, "</div>")]
	return html.UnescapeString(strings.TrimSpace(tagRE.ReplaceAllString(rest, " ")))
}

// summaryText returns the text of the error summary ("" when none).
func summaryText(body string) string {
	i := strings.Index(body, `id="error-summary"`)
	if i < 0 {
		return ""
	}
	rest := body[i:]
	rest = rest[:strings.Index(rest, "</div>")]
	return html.UnescapeString(tagRE.ReplaceAllString(rest, " "))
}

func mustContain(t *testing.T, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("page lacks %q", w)
		}
	}
}

func digestOf(b []byte) string {
	s := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(s[:])
}

// ociManifest is a real OCI image manifest: config and layers with true
// digests and the given layer sizes.
func ociManifest(t *testing.T, layerSizes ...int) string {
	t.Helper()
	cfg := []byte(`{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}`)
	var layers []any
	for _, n := range layerSizes {
		b := make([]byte, n)
		rand.Read(b)
		layers = append(layers, map[string]any{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": digestOf(b), "size": n})
	}
	b, err := json.Marshal(map[string]any{
		"schemaVersion": 2,
		"mediaType":     "application/vnd.oci.image.manifest.v1+json",
		"config":        map[string]any{"mediaType": "application/vnd.oci.image.config.v1+json", "digest": digestOf(cfg), "size": len(cfg)},
		"layers":        layers,
	})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// dockerManifest is a real Docker image manifest v2 schema 2.
func dockerManifest(t *testing.T, layerSize int) string {
	t.Helper()
	cfg := []byte(`{"architecture":"arm64","os":"linux"}`)
	layer := make([]byte, layerSize)
	rand.Read(layer)
	b, _ := json.Marshal(map[string]any{
		"schemaVersion": 2,
		"mediaType":     "application/vnd.docker.distribution.manifest.v2+json",
		"config":        map[string]any{"mediaType": "application/vnd.docker.container.image.v1+json", "digest": digestOf(cfg), "size": len(cfg)},
		"layers":        []any{map[string]any{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "digest": digestOf(layer), "size": layerSize}},
	})
	return string(b)
}

// putImage stores an image through ECR PutImage and returns its digest.
func putImage(t *testing.T, env *webtest.Env, repo, tag, manifest string) string {
	t.Helper()
	d, err := env.Backend.In("").PutImage(context.Background(), repo, tag, manifest, "")
	if err != nil {
		t.Fatalf("put image %s:%s: %v", repo, tag, err)
	}
	return d
}

func createForm(name string) url.Values {
	return url.Values{"name": {name}, "tagMutability": {"MUTABLE"}, "encryption": {"AES256"}, "visibility": {"private"}}
}

// createRepo creates a repository through the form and checks the redirect.
func createRepo(t *testing.T, env *webtest.Env, v url.Values) {
	t.Helper()
	r := env.PostForm(t, "/repositories/new", v)
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("create %s = %d\n%s", v.Get("name"), r.StatusCode, summaryText(r.Body))
	}
}

func describe(t *testing.T, env *webtest.Env, name string) cloud.Repository {
	t.Helper()
	repo, err := env.Backend.In("").Repository(context.Background(), name)
	if err != nil {
		t.Fatalf("describe %s: %v", name, err)
	}
	return repo
}

// ---- create ----

func TestRepositoryCreateFormMirrorsConsole(t *testing.T) {
	env := webtest.New(t)
	r := env.Get(t, "/repositories/new")
	if r.StatusCode != http.StatusOK {
		t.Fatalf("GET /repositories/new = %d", r.StatusCode)
	}
	mustContain(t, r.Body,
		"<h1>Create repository</h1>", "Visibility settings", ">Private", "ECR Public",
		`value="public" disabled`, "Repository name", "000000000000.dkr.ecr.us-east-1.amazonaws.com/",
		"Tag immutability", `value="MUTABLE" checked`, "Immutable, with exclusions", "Mutable, with exclusions",
		"Exclusion filters", `name="exclusions.0"`,
		"Image scan settings", "Scan on push", "registry level",
		"Encryption settings", "KMS encryption", `value="AES256" checked`, "AWS KMS", "cannot be changed after the repository is created",
		"AWS KMS key", "aws/ecr (AWS managed key, default)", "Enter a key ARN",
		"Tags", `name="tags.0.key"`, `name="tags.0.value"`, "Add tag",
		`action="/repositories/new"`,
	)
	if strings.Contains(r.Body, `name="scanOnPush" value="true" checked`) {
		t.Error("scan on push is on by default")
	}
}

func TestRepositoryCreateNameRules(t *testing.T) {
	env := webtest.New(t)
	tests := []struct{ name, want string }{
		{"", "Enter a repository name."},
		{"a", "Use between 2 and 256 characters (this name has 1)."},
		{strings.Repeat("b", 257), "this name has 257"},
		{"Web-App", "Use lowercase letters only"},
		{"web app", "Remove spaces"},
		{"web#app", `Remove "#"`},
		{"-webapp", "Start and end the name with a letter or digit."},
		{"webapp-", "Start and end the name with a letter or digit."},
		{"team/_app", "each part between slashes"},
		{"team//app", "put two / together"},
		{"/team/app", "Do not start or end the name with /"},
		{"web..app", "not other combinations"},
		{"web___app", "not other combinations"},
		{"web_-app", "not other combinations"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := createForm(tt.name)
			v.Set("scanOnPush", "true")
			v.Set("tags.0.key", "team")
			v.Set("tags.0.value", "web")
			r := env.PostForm(t, "/repositories/new", v)
			if r.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", r.StatusCode)
			}
			if got := fieldError(r.Body, "name"); !strings.Contains(got, tt.want) {
				t.Errorf("message at the name field = %q, want %q", got, tt.want)
			}
			if !strings.Contains(summaryText(r.Body), tt.want) {
				t.Errorf("summary lacks %q: %q", tt.want, summaryText(r.Body))
			}
			mustContain(t, r.Body,
				`value="`+html.EscapeString(tt.name)+`"`, `aria-describedby="f-name-help f-name-error"`, `href="#f-name"`,
				// Everything else typed is kept.
				`name="scanOnPush" value="true" checked`, `name="tags.0.key" value="team"`, `name="tags.0.value" value="web"`)
		})
	}
	// Several rules at once: one message each.
	r := env.PostForm(t, "/repositories/new", createForm("-Web app"))
	if got := fieldError(r.Body, "name"); strings.Count(got, ".") < 3 ||
		!strings.Contains(got, "lowercase") || !strings.Contains(got, "spaces") || !strings.Contains(got, "Start and end") {
		t.Errorf("combined problems = %q", got)
	}
}

func TestRepositoryCreateSettingsRules(t *testing.T) {
	env := webtest.New(t)
	tests := []struct {
		name  string
		set   url.Values
		field string
		want  string
	}{
		{"exclusions required", url.Values{"tagMutability": {"IMMUTABLE_WITH_EXCLUSION"}}, "exclusions.0", "at least one exclusion filter"},
		{"bad exclusion", url.Values{"tagMutability": {"MUTABLE_WITH_EXCLUSION"}, "exclusions.0": {"no spaces"}}, "exclusions.0", "1 to 128 letters"},
		{"exclusions with plain mutable", url.Values{"exclusions.0": {"latest"}}, "exclusions.0", "only apply"},
		{"unknown mutability", url.Values{"tagMutability": {"SOMETIMES"}}, "tagMutability", "Choose one"},
		{"custom key missing", url.Values{"encryption": {"KMS"}, "kmsKey": {"custom"}}, "kmsKeyArn", "Enter the ARN"},
		{"custom key bad", url.Values{"encryption": {"KMS"}, "kmsKey": {"custom"}, "kmsKeyArn": {"my key"}}, "kmsKeyArn", "KMS key ARN"},
		{"tag without key", url.Values{"tags.0.key": {""}, "tags.0.value": {"x"}}, "tags.0.key", "Enter a key"},
		{"tag value too long", url.Values{"tags.0.key": {"k"}, "tags.0.value": {strings.Repeat("v", 257)}}, "tags.0.value", "at most 256"},
		{"reserved tag", url.Values{"tags.0.key": {"aws:owner"}}, "tags.0.key", "reserved"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := webtest.Name("rules")
			v := createForm(name)
			for k, vals := range tt.set {
				v[k] = vals
			}
			r := env.PostForm(t, "/repositories/new", v)
			if r.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", r.StatusCode)
			}
			if got := fieldError(r.Body, tt.field); !strings.Contains(got, tt.want) {
				t.Errorf("message at %s = %q, want %q\nsummary: %s", tt.field, got, tt.want, summaryText(r.Body))
			}
			mustContain(t, r.Body, `value="`+name+`"`)
			if _, err := env.Backend.In("").Repository(context.Background(), name); !errors.Is(err, cloud.ErrRepositoryNotFound) {
				t.Errorf("a refused form created the repository: %v", err)
			}
		})
	}
}

func TestRepositoryCreateWithEverySetting(t *testing.T) {
	env := webtest.New(t)
	cli := clitest.New(t, env.EmulatorURL)
	var key struct{ KeyMetadata struct{ KeyId, Arn string } }
	cli.MustRun(t, "kms", "create-key", "--description", "images").JSON(t, &key)
	alias := webtest.Name("alias/berth-images")
	cli.MustRun(t, "kms", "create-alias", "--alias-name", alias, "--target-key-id", key.KeyMetadata.KeyId)

	form := env.Get(t, "/repositories/new").Body
	mustContain(t, form, strings.TrimPrefix(alias, "alias/")+" — "+key.KeyMetadata.Arn, `value="`+key.KeyMetadata.Arn+`"`)

	name := webtest.Name("team") + "/web-app"
	v := createForm(name)
	v.Set("tagMutability", "IMMUTABLE_WITH_EXCLUSION")
	v.Set("exclusions.0", "latest")
	v.Set("exclusions.1", "")
	v.Set("exclusions.2", "dev-*")
	v.Set("scanOnPush", "true")
	v.Set("encryption", "KMS")
	v.Set("kmsKey", key.KeyMetadata.Arn)
	v.Set("tags.0.key", "team")
	v.Set("tags.0.value", "web")
	v.Set("tags.1.key", "env")
	v.Set("tags.1.value", "prod")
	r := env.PostForm(t, "/repositories/new", v)
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/repositories/"+name {
		t.Fatalf("create = %d %q\n%s", r.StatusCode, r.Header.Get("Location"), summaryText(r.Body))
	}
	page := env.Follow(t, r)
	mustContain(t, page.Body, "Repository "+name+" created.", "<h1>"+name+"</h1>", "Immutable, with exclusions", "<code>latest</code>", "<code>dev-*</code>")

	repo := describe(t, env, name)
	if repo.TagMutability != "IMMUTABLE_WITH_EXCLUSION" || strings.Join(repo.ExclusionFilters, ",") != "latest,dev-*" ||
		!repo.ScanOnPush || repo.EncryptionType != "KMS" || repo.KMSKey != key.KeyMetadata.Arn {
		t.Errorf("created %+v", repo)
	}
	tags, _ := env.Backend.In("").RepositoryTags(context.Background(), repo.ARN)
	if fmt.Sprint(tags) != "[{env prod} {team web}]" {
		t.Errorf("tags %v", tags)
	}

	// AWS KMS with the default key: no key sent, ECR uses aws/ecr.
	dflt := webtest.Name("kms-default")
	v = createForm(dflt)
	v.Set("encryption", "KMS")
	v.Set("kmsKey", "")
	createRepo(t, env, v)
	if got := describe(t, env, dflt); got.EncryptionType != "KMS" || !strings.Contains(got.KMSKey, ":key/") {
		t.Errorf("default KMS key: %+v (want the AWS managed key's ARN)", got)
	}
	// AES-256 ignores the key fields.
	aes := webtest.Name("aes")
	v = createForm(aes)
	v.Set("kmsKey", "custom")
	v.Set("kmsKeyArn", "whatever")
	createRepo(t, env, v)
	if got := describe(t, env, aes); got.EncryptionType != "AES256" || got.KMSKey != "" || got.TagMutability != "MUTABLE" || got.ScanOnPush {
		t.Errorf("defaults: %+v", got)
	}
}

func TestRepositoryCreateAddRowsKeepsInput(t *testing.T) {
	env := webtest.New(t)
	name := webtest.Name("rows")
	v := createForm(name)
	v.Set("tags.0.key", "team")
	v.Set("add", "tag")
	r := env.PostForm(t, "/repositories/new", v)
	if r.StatusCode != http.StatusOK || summaryText(r.Body) != "" {
		t.Fatalf("add tag = %d, summary %q", r.StatusCode, summaryText(r.Body))
	}
	mustContain(t, r.Body, `name="tags.0.key" value="team"`, `name="tags.1.key" value=""`, `value="`+name+`"`)
	v.Set("add", "exclusion")
	v.Set("exclusions.0", "latest")
	r = env.PostForm(t, "/repositories/new", v)
	mustContain(t, r.Body, `name="exclusions.0" value="latest"`, `name="exclusions.1" value=""`)
	if _, err := env.Backend.In("").Repository(context.Background(), name); !errors.Is(err, cloud.ErrRepositoryNotFound) {
		t.Errorf("adding a row created the repository: %v", err)
	}
	// Rows drawn blank count too: "Add tag" under one empty row gives two.
	blank := createForm(name)
	blank.Set("tags.0.key", "")
	blank.Set("tags.0.value", "")
	blank.Set("add", "tag")
	r = env.PostForm(t, "/repositories/new", blank)
	mustContain(t, r.Body, `name="tags.0.key" value=""`, `name="tags.1.key" value=""`)
	blank.Del("add")
	blank.Set("exclusions.0", "")
	blank.Set("add", "exclusion")
	r = env.PostForm(t, "/repositories/new", blank)
	mustContain(t, r.Body, `name="exclusions.0" value=""`, `name="exclusions.1" value=""`)
}

func TestRepositoryCreateAlreadyExists(t *testing.T) {
	env := webtest.New(t)
	name := webtest.Name("dup")
	createRepo(t, env, createForm(name))
	v := createForm(name)
	v.Set("scanOnPush", "true")
	r := env.PostForm(t, "/repositories/new", v)
	if r.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("status %d", r.StatusCode)
	}
	if got := fieldError(r.Body, "name"); !strings.Contains(got, "already exists") {
		t.Errorf("name field: %q", got)
	}
	mustContain(t, r.Body, `value="`+name+`"`, `name="scanOnPush" value="true" checked`)
}

// failingAPI answers some calls with the errors AWS gives but the emulator
// cannot be made to give.
type failingAPI struct {
	web.RepositoryAPI
	create, del, kms error
	noImages         bool
}

func (f failingAPI) CreateRepository(ctx context.Context, in cloud.NewRepository) (cloud.Repository, error) {
	if f.create != nil {
		return cloud.Repository{}, f.create
	}
	return f.RepositoryAPI.CreateRepository(ctx, in)
}

func (f failingAPI) DeleteRepository(ctx context.Context, name string, force bool) error {
	if f.del != nil {
		return f.del
	}
	return f.RepositoryAPI.DeleteRepository(ctx, name, force)
}

func (f failingAPI) KMSKeys(ctx context.Context) ([]cloud.KMSKey, bool, error) {
	if f.kms != nil {
		return nil, false, f.kms
	}
	return f.RepositoryAPI.KMSKeys(ctx)
}

func (f failingAPI) Images(ctx context.Context, repo, filter, token string, max int) (cloud.ImagePage, error) {
	if f.noImages {
		return cloud.ImagePage{}, nil
	}
	return f.RepositoryAPI.Images(ctx, repo, filter, token, max)
}

func TestRepositoryCreateAWSErrorsMappedToFields(t *testing.T) {
	env := webtest.New(t)
	tests := []struct {
		name  string
		err   error
		set   url.Values
		field string
		want  string
	}{
		{"KMS error at the key picker", &cloud.ECRError{Kind: cloud.ErrKMS, Code: "KmsException", Message: "KMS key is disabled."},
			url.Values{"encryption": {"KMS"}, "kmsKey": {"arn:aws:kms:us-east-1:000000000000:key/1234"}}, "kmsKey", "KMS refused this key: KMS key is disabled."},
		{"KMS error at the typed ARN", &cloud.ECRError{Kind: cloud.ErrKMS, Code: "KmsException", Message: "Key not found."},
			url.Values{"encryption": {"KMS"}, "kmsKey": {"custom"}, "kmsKeyArn": {"alias/gone"}}, "kmsKeyArn", "Key not found."},
		{"invalid parameter at the name", &cloud.ECRError{Kind: cloud.ErrInvalidParameter, Code: "InvalidParameterException",
			Message: "Invalid parameter at 'repositoryName' failed to satisfy constraint: 'x'", Parameter: "repositoryName"}, nil, "name", "InvalidParameterException"},
		{"invalid tags", &cloud.ECRError{Kind: cloud.ErrInvalidTags, Code: "InvalidTagParameterException", Message: "bad tag"},
			url.Values{"tags.0.key": {"k"}}, "tags", "bad tag (InvalidTagParameterException)"},
		{"unknown AWS error at the top", &cloud.ECRError{Code: "LimitExceededException", Message: "Too many repositories."}, nil, "", "Too many repositories. (LimitExceededException)"},
		{"network failure at the top", errors.New("dial tcp 127.0.0.1:1: connection refused"), nil, "", "Nothing was created"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			web.OverrideRepositoryAPI(t, env.Server, func(api web.RepositoryAPI) web.RepositoryAPI { return failingAPI{RepositoryAPI: api, create: tt.err} })
			name := webtest.Name("mapped")
			v := createForm(name)
			for k, vals := range tt.set {
				v[k] = vals
			}
			r := env.PostForm(t, "/repositories/new", v)
			if r.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422\n%s", r.StatusCode, r.Body)
			}
			if tt.field != "" {
				if got := fieldError(r.Body, tt.field); !strings.Contains(got, tt.want) {
					t.Errorf("message at %s = %q, want %q", tt.field, got, tt.want)
				}
			}
			if !strings.Contains(summaryText(r.Body), tt.want) {
				t.Errorf("summary = %q, want %q", summaryText(r.Body), tt.want)
			}
			mustContain(t, r.Body, `value="`+name+`"`)
		})
	}
	if strings.Contains(env.Logs.String(), "level=ERROR") {
		t.Errorf("AWS errors were logged as server errors:\n%s", env.Logs)
	}
}

func TestRepositoryCreateKeyPickerDegrades(t *testing.T) {
	env := webtest.New(t)
	web.OverrideRepositoryAPI(t, env.Server, func(api web.RepositoryAPI) web.RepositoryAPI {
		return failingAPI{RepositoryAPI: api, kms: &cloud.ECRError{Code: "AccessDeniedException", Message: "not allowed to kms:ListAliases"}}
	})
	r := env.Get(t, "/repositories/new")
	if r.StatusCode != http.StatusOK {
		t.Fatalf("form with KMS down = %d", r.StatusCode)
	}
	mustContain(t, r.Body, `id="kms-problem"`, "not allowed to kms:ListAliases (AccessDeniedException)",
		`name="kmsKey" value="typed"`, `name="kmsKeyArn"`, "leave it empty to use the AWS managed key aws/ecr")
	if strings.Contains(r.Body, "Enter a key ARN</option>") {
		t.Error("picker shown although KMS failed")
	}
	// Empty ARN: aws/ecr.
	name := webtest.Name("typed-default")
	v := createForm(name)
	v.Set("encryption", "KMS")
	v.Set("kmsKey", "typed")
	createRepo(t, env, v)
	if got := describe(t, env, name); got.EncryptionType != "KMS" || !strings.Contains(got.KMSKey, ":key/") {
		t.Errorf("typed default: %+v", got)
	}
	// A typed ARN is used as typed.
	var created struct{ KeyMetadata struct{ Arn string } }
	clitest.New(t, env.EmulatorURL).MustRun(t, "kms", "create-key", "--description", "typed").JSON(t, &created)
	name = webtest.Name("typed-arn")
	v = createForm(name)
	v.Set("encryption", "KMS")
	v.Set("kmsKey", "typed")
	v.Set("kmsKeyArn", created.KeyMetadata.Arn)
	createRepo(t, env, v)
	if got := describe(t, env, name); got.KMSKey != created.KeyMetadata.Arn {
		t.Errorf("typed ARN: %+v", got)
	}
}

// ---- list ----

func TestRepositoryListEmptyExplains(t *testing.T) {
	// A region nobody uses: an empty registry.
	env := webtest.NewWith(t, webtest.Options{Regions: []string{"us-east-1", "ca-west-1"}})
	env.PostForm(t, "/region", url.Values{"region": {"ca-west-1"}, "return": {"/repositories"}})
	r := env.Get(t, "/repositories")
	if r.StatusCode != http.StatusOK {
		t.Fatalf("status %d", r.StatusCode)
	}
	mustContain(t, r.Body, `id="repositories-empty"`, "A repository holds the versions of one container image", `href="/repositories/new"`)
}

func TestRepositoryListColumnsFilterSortPages(t *testing.T) {
	env := webtest.New(t)
	api := env.Backend.In("")
	ctx := context.Background()
	ns := webtest.Name("list")
	// 103 repositories in one namespace: two list pages of 100.
	for i := range 103 {
		in := cloud.NewRepository{Name: fmt.Sprintf("%s/app-%03d", ns, i)}
		if i == 7 {
			in.TagMutability, in.ScanOnPush, in.EncryptionType = "IMMUTABLE", true, "KMS"
		}
		if _, err := api.CreateRepository(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := api.CreateRepository(ctx, cloud.NewRepository{Name: ns + "/deep/inner"}); err != nil {
		t.Fatal(err)
	}

	r := env.Get(t, "/repositories?ns="+url.QueryEscape(ns))
	if r.StatusCode != http.StatusOK {
		t.Fatalf("status %d", r.StatusCode)
	}
	uri := "000000000000.dkr.ecr.us-east-1.amazonaws.com/" + ns + "/app-007"
	mustContain(t, r.Body,
		"Repository name", "URI", "Created at", "Tag immutability", "Scan on push", "Encryption type",
		`<a href="/repositories/`+ns+`/app-007">`+ns+`/app-007</a>`, "<code>"+uri+"</code>", `data-copy="`+uri+`"`,
		"<td>Immutable</td><td>Enabled</td><td>AWS KMS</td>", "<td>Mutable</td><td>Disabled</td><td>AES-256</td>",
		"<time datetime=", `<option value="`+ns+`" selected>`+ns+`/ (104)</option>`, `<option value="`+ns+`/deep">`,
		"Showing 1–100 of 104",
	)
	if strings.Contains(r.Body, ns+"/app-100<") {
		t.Error("row 101 on page 1")
	}
	next := regexp.MustCompile(`href="([^"]*)" rel="next"`).FindStringSubmatch(r.Body)
	if next == nil {
		t.Fatal("no next link")
	}
	r2 := env.Get(t, html.UnescapeString(next[1]))
	mustContain(t, r2.Body, "Showing 101–104 of 104", ns+"/app-102<", `rel="prev"`)

	// Name filter and namespace filter.
	r = env.Get(t, "/repositories?q="+url.QueryEscape(ns+"/app-05"))
	mustContain(t, r.Body, "Showing 1–10 of 10", ns+"/app-050<", ns+"/app-059<")
	r = env.Get(t, "/repositories?ns="+url.QueryEscape(ns+"/deep"))
	mustContain(t, r.Body, "Showing 1–1 of 1", ns+"/deep/inner<")

	// Sorting: name descending, created newest first.
	r = env.Get(t, "/repositories?sort=name-desc&ns="+url.QueryEscape(ns))
	if strings.Index(r.Body, ns+"/deep/inner<") > strings.Index(r.Body, ns+"/app-102<") || !strings.Contains(r.Body, `value="name-desc" selected`) {
		t.Error("name-desc order wrong")
	}
	r = env.Get(t, "/repositories?sort=created&ns="+url.QueryEscape(ns))
	if i, j := strings.Index(r.Body, ns+"/app-000<"), strings.Index(r.Body, ns+"/app-001<"); i < 0 || j < 0 || i > j {
		t.Error("created (oldest first) order wrong")
	}
}

func TestRepositoryListExplainsAWSFailure(t *testing.T) {
	env := webtest.New(t)
	web.OverrideRepositoryAPI(t, env.Server, func(api web.RepositoryAPI) web.RepositoryAPI { return listFails{api} })
	r := env.Get(t, "/repositories")
	if r.StatusCode != http.StatusBadGateway {
		t.Fatalf("status %d", r.StatusCode)
	}
	mustContain(t, r.Body, `id="list-problem"`, "not authorized to perform: ecr:DescribeRepositories (AccessDeniedException)", "Create repository")
}

type listFails struct{ web.RepositoryAPI }

func (listFails) ListRepositories(context.Context, string, int) (cloud.RepositoryPage, error) {
	return cloud.RepositoryPage{}, &cloud.ECRError{Code: "AccessDeniedException", Message: "User is not authorized to perform: ecr:DescribeRepositories"}
}

// ---- detail ----

func TestRepositoryDetailSummaryPushCommandsImages(t *testing.T) {
	env := webtest.New(t)
	name := webtest.Name("team") + "/api"
	v := createForm(name)
	v.Set("tags.0.key", "owner")
	v.Set("tags.0.value", "platform")
	createRepo(t, env, v)
	m1 := ociManifest(t, 1500, 2500)
	d1 := putImage(t, env, name, "v1", m1)
	putImage(t, env, name, "latest", m1)
	d2 := putImage(t, env, name, "", dockerManifest(t, 2_500_000))

	r := env.Get(t, "/repositories/"+name)
	if r.StatusCode != http.StatusOK {
		t.Fatalf("status %d\n%s", r.StatusCode, r.Body)
	}
	uri := "000000000000.dkr.ecr.us-east-1.amazonaws.com/" + name
	arn := "arn:aws:ecr:us-east-1:000000000000:repository/" + name
	registry := strings.TrimPrefix(env.EmulatorURL, "http://")
	mustContain(t, r.Body,
		"<h1>"+name+"</h1>", `data-copy="`+uri+`"`, `data-copy="`+arn+`"`, "Created at", "<time datetime=",
		`<dd id="summary-mutability">Mutable`, `<dd id="summary-scan">Disabled</dd>`, `<dd id="summary-encryption">AES-256</dd>`,
		`<span class="badge">owner = platform</span>`,
		// Push commands with real values, pointed at the emulator.
		"View push commands",
		"aws ecr get-login-password --region us-east-1 --endpoint-url "+env.EmulatorURL+" | docker login --username AWS --password-stdin "+registry,
		"docker build -t api .", "docker tag api:latest "+registry+"/"+name+":latest", "docker push "+registry+"/"+name+":latest",
		"crane auth login "+registry+" --username AWS --password-stdin", "crane push api.tar "+registry+"/"+name+":latest",
		// Images.
		"<code>latest</code>", "<code>v1</code>", `title="`+d1+`">`+d1[:19]+"<", `data-copy="`+d1+`"`,
		"4.00 KB", "2.50 MB", "Not scanned", "Never",
		"application/vnd.oci.image.manifest.v1+json", "application/vnd.docker.distribution.manifest.v2+json",
		"untagged", `title="`+d2+`"`,
		// "Where used" runs when asked.
		`id="where-used"`, `id="find-usage"`,
		// Policies empty.
		"None set.",
	)
	if n := strings.Count(r.Body, `data-copy="`); n != 10 {
		t.Errorf("%d copy buttons, want 10: URI, ARN, 4 docker and 2 crane commands, 2 digests", n)
	}

	tagged := env.Get(t, "/repositories/"+name+"?images=tagged").Body
	untagged := env.Get(t, "/repositories/"+name+"?images=untagged").Body
	if !strings.Contains(tagged, d1) || strings.Contains(tagged, `title="`+d2) {
		t.Error("tagged filter wrong")
	}
	if strings.Contains(untagged, `title="`+d1) || !strings.Contains(untagged, d2) {
		t.Error("untagged filter wrong")
	}
	mustContain(t, tagged, `aria-current="true">Tagged</a>`)
}

func TestRepositoryDetailImagePages(t *testing.T) {
	env := webtest.New(t)
	name := webtest.Name("many")
	createRepo(t, env, createForm(name))
	seen := map[string]bool{}
	for range 101 {
		seen[putImage(t, env, name, "", ociManifest(t, 10))] = false
	}
	count := func(body string) int {
		n := 0
		for d := range seen {
			if strings.Contains(body, `title="`+d+`"`) {
				seen[d] = true
				n++
			}
		}
		return n
	}
	r := env.Get(t, "/repositories/"+name)
	if n := count(r.Body); n != 100 {
		t.Errorf("page 1 has %d images", n)
	}
	next := regexp.MustCompile(`href="([^"]*)" rel="next"`).FindStringSubmatch(r.Body)
	if next == nil {
		t.Fatal("no next page of images")
	}
	r = env.Get(t, html.UnescapeString(next[1]))
	if n := count(r.Body); n != 1 || !strings.Contains(r.Body, `rel="prev"`) {
		t.Errorf("page 2 has %d images", n)
	}
	for d, ok := range seen {
		if !ok {
			t.Errorf("image %s on no page", d)
		}
	}
}

func TestRepositoryPaths(t *testing.T) {
	env := webtest.New(t)
	if r := env.Get(t, "/repositories/"+webtest.Name("missing")); r.StatusCode != http.StatusNotFound || !strings.Contains(r.Body, "There is no repository named") {
		t.Errorf("missing repository = %d", r.StatusCode)
	}
	for _, p := range []string{"/repositories/Bad_Name", "/repositories/-/nonsense/x", "/repositories/a//b"} {
		if r := env.Get(t, p); r.StatusCode != http.StatusNotFound {
			t.Errorf("%s = %d, want 404", p, r.StatusCode)
		}
	}
	if r := env.Get(t, "/repositories/"); r.StatusCode != http.StatusMovedPermanently {
		t.Errorf("/repositories/ = %d", r.StatusCode)
	}
	// A repository called "new" still has a page.
	if _, err := env.Backend.In("").Repository(context.Background(), "new"); err != nil {
		if _, err := env.Backend.In("").CreateRepository(context.Background(), cloud.NewRepository{Name: "new"}); err != nil && !errors.Is(err, cloud.ErrRepositoryExists) {
			t.Fatal(err)
		}
	}
	r := env.Get(t, "/repositories/new/-/")
	if r.StatusCode != http.StatusOK || !strings.Contains(r.Body, "<h1>new</h1>") || !strings.Contains(r.Body, `href="/repositories/-/edit/new"`) {
		t.Errorf("repository named new = %d", r.StatusCode)
	}
	if r := env.Get(t, "/repositories?q=new"); !strings.Contains(r.Body, `<a href="/repositories/new/-/">new</a>`) {
		t.Error("list does not link the repository named new to its page")
	}
}

// ---- edit ----

func TestRepositoryEdit(t *testing.T) {
	env := webtest.New(t)
	name := webtest.Name("edit") + "/svc"
	v := createForm(name)
	v.Set("encryption", "KMS")
	createRepo(t, env, v)

	r := env.Get(t, "/repositories/-/edit/"+name)
	mustContain(t, r.Body, "<h1>Edit "+name+"</h1>", `value="MUTABLE" checked`, "Encryption type", "AWS KMS", "cannot be changed")
	if strings.Contains(r.Body, `name="encryption"`) {
		t.Error("encryption is editable")
	}

	bad := env.PostForm(t, "/repositories/-/edit/"+name, url.Values{"tagMutability": {"MUTABLE_WITH_EXCLUSION"}, "scanOnPush": {"true"}})
	if bad.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(fieldError(bad.Body, "exclusions.0"), "at least one exclusion filter") {
		t.Errorf("edit without filters = %d %q", bad.StatusCode, fieldError(bad.Body, "exclusions.0"))
	}
	mustContain(t, bad.Body, `value="MUTABLE_WITH_EXCLUSION" checked`, `name="scanOnPush" value="true" checked`)

	r = env.PostForm(t, "/repositories/-/edit/"+name, url.Values{"tagMutability": {"MUTABLE_WITH_EXCLUSION"}, "exclusions.0": {"v*"}, "scanOnPush": {"true"}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit = %d\n%s", r.StatusCode, summaryText(r.Body))
	}
	mustContain(t, env.Follow(t, r).Body, "Settings of "+name+" saved.")
	got := describe(t, env, name)
	if got.TagMutability != "MUTABLE_WITH_EXCLUSION" || strings.Join(got.ExclusionFilters, ",") != "v*" || !got.ScanOnPush || got.EncryptionType != "KMS" {
		t.Errorf("after edit %+v", got)
	}
	r = env.PostForm(t, "/repositories/-/edit/"+name, url.Values{"tagMutability": {"IMMUTABLE"}})
	if got := describe(t, env, name); r.StatusCode != http.StatusSeeOther || got.TagMutability != "IMMUTABLE" || got.ScanOnPush || len(got.ExclusionFilters) != 0 {
		t.Errorf("second edit %d %+v", r.StatusCode, got)
	}
}

// ---- policies ----

func TestRepositoryPolicyEditor(t *testing.T) {
	env := webtest.New(t)
	name := webtest.Name("perm")
	createRepo(t, env, createForm(name))
	path := "/repositories/-/policy/" + name
	r := env.Get(t, path)
	mustContain(t, r.Body, "<h1>Permissions: "+name+"</h1>", `name="policy"`, "AllowPullFromAnotherAccount")
	if strings.Contains(r.Body, `id="delete-policy"`) {
		t.Error("delete offered without a policy")
	}

	broken := "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Effect\": \"Allow\",}\n  ]\n}"
	r = env.PostForm(t, path, url.Values{"policy": {broken}})
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(fieldError(r.Body, "policy"), "line 4") {
		t.Errorf("syntax error = %d %q", r.StatusCode, fieldError(r.Body, "policy"))
	}
	mustContain(t, r.Body, html.EscapeString(broken))

	long := `{"Statement":[{"Sid":"` + strings.Repeat("x", 10300) + `"}]}`
	if r := env.PostForm(t, path, url.Values{"policy": {long}}); !strings.Contains(fieldError(r.Body, "policy"), "at most 10240") {
		t.Errorf("length check: %q", fieldError(r.Body, "policy"))
	}

	// Valid JSON that AWS refuses (no Principal): AWS's answer at the editor.
	noPrincipal := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr:BatchGetImage"}]}`
	r = env.PostForm(t, path, url.Values{"policy": {noPrincipal}})
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(fieldError(r.Body, "policy"), "InvalidParameterException") {
		t.Errorf("AWS refusal = %d %q", r.StatusCode, fieldError(r.Body, "policy"))
	}
	mustContain(t, r.Body, html.EscapeString(noPrincipal))

	good := `{"Version":"2012-10-17","Statement":[{"Sid":"pull","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":["ecr:BatchGetImage"]}]}`
	r = env.PostForm(t, path, url.Values{"policy": {good}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("save = %d %s", r.StatusCode, summaryText(r.Body))
	}
	page := env.Follow(t, r).Body
	mustContain(t, page, "Permissions of "+name+" saved.", "arn:aws:iam::123456789012:root")
	mustContain(t, env.Get(t, path).Body, `id="delete-policy"`)

	r = env.PostForm(t, "/repositories/-/policy-delete/"+name, nil)
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("delete = %d", r.StatusCode)
	}
	mustContain(t, env.Follow(t, r).Body, "Permissions of "+name+" deleted.")
	if p, _ := env.Backend.In("").RepositoryPolicy(context.Background(), name); p != "" {
		t.Errorf("policy still set: %s", p)
	}
	r = env.PostForm(t, "/repositories/-/policy-delete/"+name, nil)
	mustContain(t, env.Follow(t, r).Body, "had no permissions to delete")
}

func TestRepositoryLifecyclePolicyEditor(t *testing.T) {
	env := webtest.New(t)
	name := webtest.Name("life")
	createRepo(t, env, createForm(name))
	path := "/repositories/-/lifecycle/" + name
	mustContain(t, env.Get(t, path).Body, "<h1>Lifecycle policy: "+name+"</h1>", "sinceImagePushed")

	if r := env.PostForm(t, path, url.Values{"policy": {`{"rules":[]}`}}); r.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(fieldError(r.Body, "policy"), "between 100 and 30720") {
		t.Errorf("too short: %d %q", r.StatusCode, fieldError(r.Body, "policy"))
	}
	grammar := `{"rules":[{"rulePriority":1,"description":"keep ten images","selection":{"tagStatus":"sometimes","countType":"imageCountMoreThan","countNumber":10},"action":{"type":"expire"}}]}`
	if r := env.PostForm(t, path, url.Values{"policy": {grammar}}); !strings.Contains(fieldError(r.Body, "policy"), "tagStatus must be tagged, untagged or any") {
		t.Errorf("grammar: %q", fieldError(r.Body, "policy"))
	}
	good := strings.Replace(grammar, "sometimes", "any", 1)
	r := env.PostForm(t, path, url.Values{"policy": {good}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("save = %d %s", r.StatusCode, summaryText(r.Body))
	}
	mustContain(t, env.Follow(t, r).Body, "Lifecycle policy of "+name+" saved.", "keep ten images")
	r = env.PostForm(t, "/repositories/-/lifecycle-delete/"+name, nil)
	mustContain(t, env.Follow(t, r).Body, "Lifecycle policy of "+name+" deleted.")
	if p, _ := env.Backend.In("").LifecyclePolicy(context.Background(), name); p != "" {
		t.Errorf("lifecycle still set: %s", p)
	}
}

// ---- delete ----

func TestRepositoryDeleteImageAndTag(t *testing.T) {
	env := webtest.New(t)
	name := webtest.Name("img")
	createRepo(t, env, createForm(name))
	d := putImage(t, env, name, "v1", ociManifest(t, 100))
	putImage(t, env, name, "stable", ociManifest(t, 100))
	m := ociManifest(t, 200)
	d2 := putImage(t, env, name, "v2", m)
	putImage(t, env, name, "latest", m)
	base := "/repositories/-/images-delete/" + name

	// A tag: the confirmation says the image stays with its other tags.
	r := env.Get(t, base+"?"+url.Values{"digest": {d2}, "tag": {"v2"}}.Encode())
	mustContain(t, r.Body, "Delete tag v2", "Only the tag <code>v2</code> is removed", "It keeps its other tags: latest.")
	r = env.PostForm(t, base, url.Values{"digest": {d2}, "tag": {"v2"}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("delete tag = %d", r.StatusCode)
	}
	mustContain(t, env.Follow(t, r).Body, "Tag v2 deleted from "+name+".")
	if img, err := env.Backend.In("").Image(context.Background(), name, d2); err != nil || strings.Join(img.Tags, ",") != "latest" {
		t.Errorf("after tag delete: %+v %v", img, err)
	}
	// The last tag: it stays untagged.
	r = env.Get(t, base+"?"+url.Values{"digest": {d}, "tag": {"v1"}}.Encode())
	mustContain(t, r.Body, "stays as an untagged image")

	// The whole image: the confirmation names every tag that goes with it.
	r = env.Get(t, base+"?"+url.Values{"digest": {d2}}.Encode())
	mustContain(t, r.Body, "<h1>Delete image</h1>", "together with its tags: latest.", d2)
	r = env.PostForm(t, base, url.Values{"digest": {d2}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("delete image = %d", r.StatusCode)
	}
	mustContain(t, env.Follow(t, r).Body, "deleted from "+name+" with its tags latest.")
	if _, err := env.Backend.In("").Image(context.Background(), name, d2); !errors.Is(err, cloud.ErrImageNotFound) {
		t.Errorf("image still there: %v", err)
	}
	// Gone now, or never there: 404, not 500.
	if r := env.Get(t, base+"?"+url.Values{"digest": {d2}}.Encode()); r.StatusCode != http.StatusNotFound {
		t.Errorf("deleted image confirm = %d", r.StatusCode)
	}
	if r := env.Get(t, base+"?"+url.Values{"digest": {d}, "tag": {"nope"}}.Encode()); r.StatusCode != http.StatusNotFound {
		t.Errorf("unknown tag = %d", r.StatusCode)
	}
	if r := env.Get(t, base+"?digest=garbage"); r.StatusCode != http.StatusBadRequest {
		t.Errorf("bad digest = %d", r.StatusCode)
	}
}

func TestRepositoryDelete(t *testing.T) {
	env := webtest.New(t)
	name := webtest.Name("gone") + "/svc"
	createRepo(t, env, createForm(name))
	putImage(t, env, name, "v1", ociManifest(t, 10))
	path := "/repositories/-/delete/" + name

	mustContain(t, env.Get(t, path).Body, `id="has-images"`, "To confirm, type the repository name: "+name, "Delete the images too")

	r := env.PostForm(t, path, url.Values{"confirm": {"svc"}, "force": {"true"}})
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(fieldError(r.Body, "confirm"), "Type the repository name exactly") {
		t.Errorf("wrong name = %d %q", r.StatusCode, fieldError(r.Body, "confirm"))
	}
	mustContain(t, r.Body, `value="svc"`, `name="force" value="true" checked`)
	r = env.PostForm(t, path, url.Values{"confirm": {name}})
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(fieldError(r.Body, "force"), "still has images") {
		t.Errorf("without force = %d %q", r.StatusCode, fieldError(r.Body, "force"))
	}
	describe(t, env, name) // still there

	r = env.PostForm(t, path, url.Values{"confirm": {name}, "force": {"true"}})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/repositories" {
		t.Fatalf("delete = %d %q", r.StatusCode, r.Header.Get("Location"))
	}
	mustContain(t, env.Follow(t, r).Body, "Repository "+name+" deleted.")
	if _, err := env.Backend.In("").Repository(context.Background(), name); !errors.Is(err, cloud.ErrRepositoryNotFound) {
		t.Errorf("still there: %v", err)
	}

	// An empty repository needs no force.
	empty := webtest.Name("empty")
	createRepo(t, env, createForm(empty))
	if r := env.PostForm(t, "/repositories/-/delete/"+empty, url.Values{"confirm": {empty}}); r.StatusCode != http.StatusSeeOther {
		t.Errorf("empty delete = %d", r.StatusCode)
	}
}

func TestRepositoryDeleteNotEmptyExplained(t *testing.T) {
	env := webtest.New(t)
	name := webtest.Name("race")
	createRepo(t, env, createForm(name))
	// Images pushed between the check and the delete: ECR refuses.
	web.OverrideRepositoryAPI(t, env.Server, func(api web.RepositoryAPI) web.RepositoryAPI {
		return failingAPI{RepositoryAPI: api, noImages: true, del: &cloud.ECRError{Kind: cloud.ErrRepositoryNotEmpty, Code: "RepositoryNotEmptyException",
			Message: "The repository with name '" + name + "' in registry with id '000000000000' cannot be deleted because it still contains images"}}
	})
	r := env.PostForm(t, "/repositories/-/delete/"+name, url.Values{"confirm": {name}})
	if r.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("status %d\n%s", r.StatusCode, r.Body)
	}
	if got := fieldError(r.Body, "force"); !strings.Contains(got, "RepositoryNotEmptyException") || !strings.Contains(got, "Delete the images too") {
		t.Errorf("force field: %q", got)
	}
	mustContain(t, r.Body, `value="`+name+`"`, `id="has-images"`)
}

func TestRepositoryWhereUsed(t *testing.T) {
	env := webtest.New(t)
	name := webtest.Name("used")
	createRepo(t, env, createForm(name))
	repo := describe(t, env, name)
	family := webtest.Name("uses-repo")
	cli := clitest.New(t, env.EmulatorURL)
	cli.MustRun(t, "ecs", "register-task-definition", "--family", family,
		"--container-definitions", `[{"name":"web","image":"`+repo.URI+`:v1","memory":128}]`)

	page := env.Get(t, "/repositories/"+name)
	mustContain(t, page.Body, `id="find-usage"`)
	if strings.Contains(page.Body, family) {
		t.Error("the search ran without being asked")
	}
	found := env.Get(t, "/repositories/"+name+"?usage=1")
	mustContain(t, found.Body, `href="/task-definitions/`+family+`/1"`, family+":1", "<code>web</code>")

	other := webtest.Name("unused")
	createRepo(t, env, createForm(other))
	mustContain(t, env.Get(t, "/repositories/"+other+"?usage=1").Body, `id="usage-none"`)
}

// TestRepositoryPushWithTheShownCommands pushes an image to the registry the
// push panel names, logged in with the password the shown command gets, and
// finds the image on the repository page: local mode's docker/crane flow.
func TestRepositoryPushWithTheShownCommands(t *testing.T) {
	env := webtest.New(t)
	name := webtest.Name("pushed")
	createRepo(t, env, createForm(name))
	page := env.Get(t, "/repositories/"+name).Body
	registry := strings.TrimPrefix(env.EmulatorURL, "http://")
	mustContain(t, page, "docker push "+registry+"/"+name+":latest")

	password := strings.TrimSpace(clitest.New(t, env.EmulatorURL).MustRun(t, "ecr", "get-login-password").Stdout)
	img, err := random.Image(2048, 2)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := ggcrname.ParseReference(registry + "/" + name + ":latest")
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(ref, img, remote.WithAuth(&authn.Basic{Username: "AWS", Password: password})); err != nil {
		t.Fatal(err)
	}
	digest, _ := img.Digest()
	mustContain(t, env.Get(t, "/repositories/"+name).Body, "<code>latest</code>", digest.String())
}
