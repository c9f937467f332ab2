package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/berthhq/berth/internal/awsrules"
	"github.com/berthhq/berth/internal/cloud"
	"github.com/berthhq/berth/web/form"
	"github.com/berthhq/berth/web/view"
)

// repositoryAPI is what the repository pages need from ECR (and KMS, for
// the key picker); *cloud.Clients provides it for the request's region.
type repositoryAPI interface {
	CreateRepository(ctx context.Context, in cloud.NewRepository) (cloud.Repository, error)
	ListRepositories(ctx context.Context, token string, max int) (cloud.RepositoryPage, error)
	Repository(ctx context.Context, name string) (cloud.Repository, error)
	RepositoryTags(ctx context.Context, arn string) ([]cloud.Tag, error)
	UpdateRepositorySettings(ctx context.Context, old cloud.Repository, mutability string, filters []string, scanOnPush bool) error
	DeleteRepository(ctx context.Context, name string, force bool) error
	Images(ctx context.Context, repo, filter, token string, max int) (cloud.ImagePage, error)
	Image(ctx context.Context, repo, digest string) (cloud.Image, error)
	DeleteImage(ctx context.Context, repo, digest, tag string) error
	RepositoryPolicy(ctx context.Context, repo string) (string, error)
	SetRepositoryPolicy(ctx context.Context, repo, text string) error
	DeleteRepositoryPolicy(ctx context.Context, repo string) error
	LifecyclePolicy(ctx context.Context, repo string) (string, error)
	PutLifecyclePolicy(ctx context.Context, repo, text string) error
	DeleteLifecyclePolicy(ctx context.Context, repo string) error
	// KMSKeys feeds the create form's key picker.
	KMSKeys(ctx context.Context) ([]cloud.KMSKey, bool, error)
}

// ecrOverrides lets tests wrap one server's repositoryAPI to provoke AWS
// answers the emulator never gives (KMS refusing a key, images pushed
// between two calls). Only _test.go files store into it.
var ecrOverrides sync.Map // *Server -> func(repositoryAPI) repositoryAPI

func (s *Server) ecr(r *http.Request) repositoryAPI {
	var api repositoryAPI = s.clients(r)
	if wrap, ok := ecrOverrides.Load(s); ok {
		api = wrap.(func(repositoryAPI) repositoryAPI)(api)
	}
	return api
}

const (
	// repoBatch is one DescribeRepositories page, AWS's maximum: the list
	// filters and sorts within it, so a list page is one AWS call.
	repoBatch = 1000
	// repoRows is how many rows a list page shows.
	repoRows = 100
	// imageRows is one DescribeImages page.
	imageRows = 100
)

func formatTime(t time.Time) view.Time {
	if t.IsZero() {
		return view.Time{}
	}
	t = t.UTC()
	return view.Time{Text: t.Format("Jan 2, 2006, 15:04:05 (UTC)"), ISO: t.Format(time.RFC3339)}
}

// ---- list ----

var repoSorts = []view.Option{
	{Value: "name", Label: "Name (A to Z)"},
	{Value: "name-desc", Label: "Name (Z to A)"},
	{Value: "created-desc", Label: "Created (newest first)"},
	{Value: "created", Label: "Created (oldest first)"},
}

// listURL builds a list page URL: trail holds the DescribeRepositories
// tokens of the batches walked so far (the last one is this batch's).
func listURL(trail []string, page, q, ns, sortBy string) string {
	v := url.Values{}
	for _, t := range trail {
		v.Add("after", t)
	}
	if page != "" && page != "1" {
		v.Set("p", page)
	}
	if q != "" {
		v.Set("q", q)
	}
	if ns != "" {
		v.Set("ns", ns)
	}
	if sortBy != "" && sortBy != "name" {
		v.Set("sort", sortBy)
	}
	if len(v) == 0 {
		return "/repositories"
	}
	return "/repositories?" + v.Encode()
}

func namespaceOf(name string) string {
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		return name[:i]
	}
	return ""
}

func (s *Server) repositories(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	trail := q["after"]
	query := strings.TrimSpace(q.Get("q"))
	ns := q.Get("ns")
	sortBy := q.Get("sort")
	if !validOption(repoSorts, sortBy) {
		sortBy = "name"
	}
	m := view.RepositoriesPage{
		Page:  s.page(w, r, "Repositories", view.SectionRepositories, view.Crumb{Label: "Repositories"}),
		Query: query, Namespace: ns, Sort: sortBy, Sorts: repoSorts,
	}
	token := ""
	if len(trail) > 0 {
		token = trail[len(trail)-1]
	}
	batch, err := s.ecr(r).ListRepositories(r.Context(), token, repoBatch)
	if err != nil {
		var status int
		m.Problem, status = pageProblem(err, token)
		s.render(w, r, status, view.Repositories(m))
		return nil
	}
	// A scoped person sees only the repositories of their scope: the batch
	// is what they may see of it.
	visible := batch.Repositories[:0:0]
	for _, repo := range batch.Repositories {
		if s.allowedFor(r, kindRepository, repo.Name) {
			visible = append(visible, repo)
		}
	}
	batch.Repositories = visible
	m.Batch = len(batch.Repositories)
	m.MoreBatches = batch.NextToken != "" || len(trail) > 0

	// Namespaces of this batch, with every parent prefix, for the filter.
	counts := map[string]int{}
	for _, repo := range batch.Repositories {
		for p := namespaceOf(repo.Name); p != ""; p = namespaceOf(p) {
			counts[p]++
		}
	}
	names := make([]string, 0, len(counts))
	for p := range counts {
		names = append(names, p)
	}
	sort.Strings(names)
	m.Namespaces = []view.Option{{Value: "", Label: "All namespaces"}, {Value: "-", Label: "No namespace"}}
	for _, p := range names {
		m.Namespaces = append(m.Namespaces, view.Option{Value: p, Label: fmt.Sprintf("%s/ (%d)", p, counts[p])})
	}
	if ns != "" && ns != "-" && counts[ns] == 0 {
		m.Namespaces = append(m.Namespaces, view.Option{Value: ns, Label: ns + "/ (0)"})
	}

	matched := make([]cloud.Repository, 0, len(batch.Repositories))
	for _, repo := range batch.Repositories {
		switch {
		case query != "" && !strings.Contains(repo.Name, strings.ToLower(query)):
		case ns == "-" && strings.Contains(repo.Name, "/"):
		case ns != "" && ns != "-" && !strings.HasPrefix(repo.Name, ns+"/"):
		default:
			matched = append(matched, repo)
		}
	}
	sort.SliceStable(matched, func(i, j int) bool {
		a, b := matched[i], matched[j]
		switch sortBy {
		case "name-desc":
			return a.Name > b.Name
		case "created-desc":
			return a.CreatedAt.After(b.CreatedAt)
		case "created":
			return a.CreatedAt.Before(b.CreatedAt)
		}
		return a.Name < b.Name
	})
	m.Matched = len(matched)
	pages := max(1, (len(matched)+repoRows-1)/repoRows)
	page := 1
	if p := q.Get("p"); p == "last" {
		page = pages
	} else if n, err := strconv.Atoi(p); err == nil && n >= 1 {
		page = min(n, pages)
	}
	from, to := (page-1)*repoRows, min(page*repoRows, len(matched))
	for _, repo := range matched[from:to] {
		m.Rows = append(m.Rows, view.RepositoryRow{
			Name: repo.Name, Href: view.RepositoryHref(repo.Name), URI: repo.URI,
			CreatedAt: formatTime(repo.CreatedAt), Mutability: view.MutabilityLabel(repo.TagMutability),
			ScanOnPush: repo.ScanOnPush, Encryption: view.EncryptionLabel(repo.EncryptionType),
		})
	}
	if len(m.Rows) > 0 {
		m.First, m.Last = from+1, to
	}
	switch {
	case page > 1:
		m.PrevHref = listURL(trail, strconv.Itoa(page-1), query, ns, sortBy)
	case len(trail) > 0:
		m.PrevHref = listURL(trail[:len(trail)-1], "last", query, ns, sortBy)
	}
	switch {
	case page < pages:
		m.NextHref = listURL(trail, strconv.Itoa(page+1), query, ns, sortBy)
	case batch.NextToken != "":
		m.NextHref = listURL(append(trail[:len(trail):len(trail)], batch.NextToken), "", query, ns, sortBy)
	}
	for _, t := range trail {
		m.Hidden = append(m.Hidden, form.KeyValue{Key: "after", Value: t})
	}
	s.render(w, r, http.StatusOK, view.Repositories(m))
	return nil
}

func validOption(opts []view.Option, v string) bool {
	for _, o := range opts {
		if o.Value == v {
			return true
		}
	}
	return false
}

// ---- create ----

func (s *Server) newRepository(w http.ResponseWriter, r *http.Request) error {
	f := form.Repository{
		RepositorySettings: form.RepositorySettings{TagMutability: awsrules.TagMutable},
		Encryption:         awsrules.ECREncryptionAES256,
	}
	s.renderRepositoryForm(w, r, http.StatusOK, f, form.Errors{}, 1, 1)
	return nil
}

func (s *Server) renderRepositoryForm(w http.ResponseWriter, r *http.Request, status int, f form.Repository, errs form.Errors, filterRows, tagRows int) {
	p := s.page(w, r, "Create repository", view.SectionRepositories,
		view.Crumb{Label: "Repositories", Href: "/repositories"}, view.Crumb{Label: "Create repository"})
	account := p.Backend.Account
	if account == "" {
		account = "<account>"
	}
	m := view.RepositoryFormPage{
		Page:     p,
		Registry: account + ".dkr.ecr." + p.Backend.Region + ".amazonaws.com/",
		Errors:   errs,
		Keys:     keyPicker(r.Context(), s.ecr(r), f.KMSKey),
	}
	if m.Keys.Problem != "" && f.KMSKey != "" && f.KMSKey != form.KMSKeyCustom && f.KMSKey != form.KMSKeyTyped {
		// A key chosen from the list before KMS failed stays chosen, as typed text.
		f.KMSKeyARN = f.KMSKey
	}
	if m.Keys.Problem != "" {
		f.KMSKey = form.KMSKeyTyped
	}
	m.Form = f
	m.FilterRows = min(awsrules.ExclusionFiltersMax, max(filterRows, len(f.ExclusionFilters), 1))
	m.TagRows = min(awsrules.ECRMaxTags+1, max(tagRows, len(f.Tags), 1))
	s.render(w, r, status, view.RepositoryNew(m))
}

// keyPicker lists the KMS keys for the form. When KMS cannot be asked it
// says why, and the form falls back to a typed key ARN.
func keyPicker(ctx context.Context, kms repositoryAPI, chosen string) view.KMSKeyPicker {
	keys, more, err := kms.KMSKeys(ctx)
	if err != nil {
		return view.KMSKeyPicker{Problem: problemText(err)}
	}
	p := view.KMSKeyPicker{More: more, Keys: []view.Option{{Value: "", Label: "aws/ecr (AWS managed key, default)"}}}
	found := chosen == "" || chosen == form.KMSKeyCustom || chosen == form.KMSKeyTyped
	for _, k := range keys {
		p.Keys = append(p.Keys, view.Option{Value: k.ARN, Label: k.Label + " — " + k.ARN})
		found = found || k.ARN == chosen
	}
	if !found {
		p.Keys = append(p.Keys, view.Option{Value: chosen, Label: chosen})
	}
	p.Keys = append(p.Keys, view.Option{Value: form.KMSKeyCustom, Label: "Enter a key ARN"})
	return p
}

// addedRows reads the form's "Add filter" / "Add tag" buttons, which post the
// form back to draw one more row (so the form needs no JavaScript).
func addedRows(r *http.Request) (filterRows, tagRows int, added bool) {
	// Rows the page drew, blank ones included: counting only filled rows
	// would give back as many rows as were drawn when those are empty.
	filters, tags := form.PostedRows(r.PostForm, form.ExclusionField), form.PostedRows(r.PostForm, form.TagKeyField)
	switch r.PostFormValue("add") {
	case "exclusion":
		return filters + 1, tags, true
	case "tag":
		return filters, tags + 1, true
	}
	return filters, tags, false
}

func (s *Server) createRepository(w http.ResponseWriter, r *http.Request) error {
	f := form.DecodeRepository(r.PostForm)
	if fr, tr, added := addedRows(r); added {
		s.renderRepositoryForm(w, r, http.StatusOK, f, form.Errors{}, fr, tr)
		return nil
	}
	errs := f.Validate()
	if !errs.Has(form.RepoName) && !s.allowedFor(r, kindRepository, f.Name) {
		errs.Add(form.RepoName, scopeMessage(s.scopeOf(r, kindRepository), "the repository name"))
	}
	if errs.Any() {
		s.renderRepositoryForm(w, r, http.StatusUnprocessableEntity, f, errs, 0, 0)
		return nil
	}
	in := cloud.NewRepository{
		Name: f.Name, TagMutability: f.TagMutability, ScanOnPush: f.ScanOnPush,
		EncryptionType: f.Encryption, KMSKey: f.KMSKeyValue(),
	}
	if awsrules.MutabilityNeedsExclusions(f.TagMutability) {
		in.ExclusionFilters = f.ExclusionFilters
	}
	for _, t := range f.Tags {
		in.Tags = append(in.Tags, cloud.Tag{Key: t.Key, Value: t.Value})
	}
	repo, err := s.ecr(r).CreateRepository(r.Context(), in)
	resource := repo.ARN
	if resource == "" {
		resource = f.Name
	}
	s.audit(r, Entry{Action: "repository.create", Resource: resource, Err: err, After: newRepoSettings(in)})
	if err != nil {
		var errs form.Errors
		errs.Add(createErrorField(err, f), createErrorMessage(err, f))
		s.renderRepositoryForm(w, r, http.StatusUnprocessableEntity, f, errs, 0, 0)
		return nil
	}
	s.redirectWithFlash(w, r, view.RepositoryHref(repo.Name), "Repository "+repo.Name+" created.")
	return nil
}

// createErrorField maps an AWS error of CreateRepository to the field it is
// about; "" puts it at the top of the form.
func createErrorField(err error, f form.Repository) string {
	keyField := form.RepoKMSKey
	if f.KMSKey == form.KMSKeyCustom || f.KMSKey == form.KMSKeyTyped {
		keyField = form.RepoKMSKeyARN
	}
	switch {
	case errors.Is(err, cloud.ErrRepositoryExists):
		return form.RepoName
	case errors.Is(err, cloud.ErrKMS):
		return keyField
	case errors.Is(err, cloud.ErrInvalidTags):
		return form.RepoTags
	case errors.Is(err, cloud.ErrInvalidParameter):
		return paramField(cloud.ECRErrorParameter(err), keyField)
	}
	return ""
}

// paramField maps the parameter an InvalidParameterException names to a form field.
func paramField(param, keyField string) string {
	p := strings.ToLower(param)
	switch {
	case p == "repositoryname":
		return form.RepoName
	case p == "imagetagmutability":
		return form.RepoTagMutability
	case strings.Contains(p, "exclusion") || p == "filter" || p == "filtertype":
		return form.ExclusionField(0)
	case p == "imagescanningconfiguration" || strings.HasPrefix(p, "imagescanningconfiguration."):
		return form.RepoScanOnPush
	case strings.Contains(p, "kmskey"):
		return keyField
	case strings.HasPrefix(p, "encryptionconfiguration"):
		return form.RepoEncryption
	case strings.HasPrefix(p, "tags"):
		return form.RepoTags
	}
	return ""
}

func createErrorMessage(err error, f form.Repository) string {
	code := cloud.ErrorCode(err)
	switch {
	case errors.Is(err, cloud.ErrRepositoryExists):
		return "A repository named " + f.Name + " already exists in this registry. Choose another name, or open the existing one from the list."
	case errors.Is(err, cloud.ErrKMS):
		return "KMS refused this key: " + cloud.ErrorMessage(err) + " Check that the key exists in this region, is enabled, and that you may use it."
	case code != "":
		return "AWS refused to create the repository: " + cloud.ErrorMessage(err) + " (" + code + ")"
	}
	return "Berth could not reach AWS to create the repository: " + problemText(err) + " Nothing was created; submit again to retry."
}

// ---- routing of /repositories/{name} and /repositories/-/{action}/{name} ----

// repositoryPath reads the repository name from the route's wildcard. The
// page of a repository named "new" is /repositories/new/-/ (the create form
// owns /repositories/new).
func repositoryPath(r *http.Request) (name string, ok bool) {
	name = strings.TrimSuffix(strings.TrimSuffix(chi.URLParam(r, "*"), "/"), "/-")
	if !awsrules.ValidRepositoryName(name) {
		return "", false
	}
	return name, true
}

// repositoryPage serves /repositories/{name}, the repository page.
func (s *Server) repositoryPage(w http.ResponseWriter, r *http.Request) error {
	if chi.URLParam(r, "*") == "" {
		http.Redirect(w, r, "/repositories", http.StatusMovedPermanently)
		return nil
	}
	name, ok := repositoryPath(r)
	if !ok {
		return notFound("There is no repository page at " + r.URL.Path + ": repository names use lowercase letters, digits and . _ - /.")
	}
	if err := s.inScope(r, kindRepository, name, repoNotFound(name, s.region(r))); err != nil {
		return err
	}
	return s.repositoryDetail(w, r, name)
}

// repoAction adapts a repository action to the routing table's
// /repositories/-/<action>/<name> lines: it reads and checks the name.
func (s *Server) repoAction(fn func(w http.ResponseWriter, r *http.Request, name string) error) appHandler {
	return func(w http.ResponseWriter, r *http.Request) error {
		name, ok := repositoryPath(r)
		if !ok {
			return notFound("There is no repository at " + r.URL.Path + ".")
		}
		if err := s.inScope(r, kindRepository, name, repoNotFound(name, s.region(r))); err != nil {
			return err
		}
		return fn(w, r, name)
	}
}

func repoNotFound(name, region string) string {
	return "There is no repository named " + name + " in " + region + "."
}

// repoSettings is what the audit trail records of a repository's settings.
type repoSettings struct {
	TagMutability    string            `json:"tagMutability,omitempty"`
	ExclusionFilters []string          `json:"exclusionFilters,omitempty"`
	ScanOnPush       bool              `json:"scanOnPush"`
	Encryption       string            `json:"encryption,omitempty"`
	KMSKey           string            `json:"kmsKey,omitempty"`
	Tags             map[string]string `json:"tags,omitempty"`
}

func newRepoSettings(in cloud.NewRepository) repoSettings {
	s := repoSettings{TagMutability: in.TagMutability, ExclusionFilters: in.ExclusionFilters, ScanOnPush: in.ScanOnPush,
		Encryption: in.EncryptionType, KMSKey: in.KMSKey}
	if len(in.Tags) > 0 {
		s.Tags = map[string]string{}
		for _, t := range in.Tags {
			s.Tags[t.Key] = t.Value
		}
	}
	return s
}

func repoSettingsOf(repo cloud.Repository) repoSettings {
	return repoSettings{TagMutability: repo.TagMutability, ExclusionFilters: repo.ExclusionFilters, ScanOnPush: repo.ScanOnPush,
		Encryption: repo.EncryptionType, KMSKey: repo.KMSKey}
}

// policyAction binds a policy handler to one kind of policy.
func policyAction(fn func(w http.ResponseWriter, r *http.Request, name string, k policyKind) error, k policyKind) func(http.ResponseWriter, *http.Request, string) error {
	return func(w http.ResponseWriter, r *http.Request, name string) error { return fn(w, r, name, k) }
}
