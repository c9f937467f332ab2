package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/go-chi/chi/v5"

	"github.com/berthhq/berth/internal/awsrules"
	"github.com/berthhq/berth/internal/cloud"
	"github.com/berthhq/berth/internal/store"
	"github.com/berthhq/berth/web/form"
	"github.com/berthhq/berth/web/view"
)

// taskDefMaxDrafts bounds the drafts list.
const taskDefMaxDrafts = 100

// draftOwner is whose drafts a request sees: the signed-in person's own.
func (s *Server) draftOwner(r *http.Request) string { return s.who(r) }

// taskDefDraftState is what a draft keeps: the builder's fields, the view
// the person was in, and JSON tab text that did not parse yet.
type taskDefDraftState struct {
	Form *form.TaskDefForm `json:"form,omitempty"`
	View string            `json:"view,omitempty"`
	JSON string            `json:"json,omitempty"`
}

func (s *Server) newBuilderPage(w http.ResponseWriter, r *http.Request, base string) view.TaskDefBuilderPage {
	heading := "Create new task definition"
	crumbs := taskDefCrumbs(view.Crumb{Label: "Create new task definition"})
	if base != "" {
		fam, _ := cloud.ParseTaskDefARN(base)
		heading = "Create new revision of " + fam
		crumbs = taskDefCrumbs(view.Crumb{Label: fam, Href: "/task-definitions/" + url.PathEscape(fam)}, view.Crumb{Label: "Create new revision"})
	}
	return view.TaskDefBuilderPage{
		Page:    s.page(w, r, heading, view.SectionTaskDefs, crumbs...),
		Heading: heading, View: "form", Base: base, Warnings: map[string]string{},
	}
}

// taskDefNew opens the builder: empty with the console's defaults, a saved
// draft (?draft=), or a registered revision to revise (?from=family[:rev]).
func (s *Server) taskDefNew(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	var (
		state   = taskDefDraftState{View: "form"}
		base    string
		draftID string
		notes   []string
	)
	switch {
	case q.Get("draft") != "":
		d, err := s.store.TaskDefDraft(r.Context(), s.draftOwner(r), q.Get("draft"))
		if errors.Is(err, store.ErrNotFound) {
			return notFound("There is no draft " + q.Get("draft") + ": it was registered or discarded.")
		}
		if err != nil {
			return err
		}
		if err := json.Unmarshal(d.Form, &state); err != nil {
			return fmt.Errorf("draft %s: %w", d.ID, err)
		}
		draftID, base = d.ID, d.Base
		notes = append(notes, "Resumed your draft saved "+taskDefTime(d.UpdatedAt)+".")
	case q.Get("from") != "":
		fam, _ := cloud.ParseTaskDefARN(q.Get("from"))
		if err := s.familyInScope(r, fam); err != nil {
			return err
		}
		td, err := s.describeTaskDef(r, q.Get("from"))
		if err != nil {
			return err
		}
		doc, err := editableJSON(td)
		if err != nil {
			return err
		}
		state.Form = form.TaskDefFormFromDoc(doc)
		base = td.Family + ":" + strconv.Itoa(td.Revision)
		notes = append(notes, "Started from "+base+". Pressing Create registers the next revision of "+td.Family+"; "+base+" stays as it is.")
	default:
		state.Form = form.NewTaskDefForm()
	}
	m := s.newBuilderPage(w, r, base)
	m.DraftID, m.Notes = draftID, notes
	if state.Form == nil {
		state.Form = form.NewTaskDefForm()
	}
	m.Form = state.Form
	if state.View == "json" {
		m.View = "json"
		m.JSON = state.JSON
		if m.JSON == "" {
			m.JSON = m.Form.JSON()
		}
	} else {
		m.Picks = s.taskDefPicks(r, m.Form, "", "")
	}
	s.render(w, r, http.StatusOK, view.TaskDefBuilder(m))
	return nil
}

// taskDefBuild answers every builder submit: row buttons, pickers, tab
// switches, saving and Create. Whatever happens, the draft is saved first
// with everything the person entered.
func (s *Server) taskDefBuild(w http.ResponseWriter, r *http.Request) error {
	pf := r.PostForm
	action := pf.Get("action")
	m := s.newBuilderPage(w, r, strings.TrimSpace(pf.Get("base")))
	m.DraftID = strings.TrimSpace(pf.Get("draft"))
	status := http.StatusOK

	if pf.Get("view") == "json" {
		text := pf.Get("json")
		f, notes, err := form.TaskDefFormFromJSON(text)
		if err != nil {
			// Keep the text as typed, in the JSON view, with the problem at it.
			m.View, m.JSON = "json", text
			m.Errs.Add("json", err.Error())
			m.Form = form.NewTaskDefForm()
			state := taskDefDraftState{View: "json", JSON: text}
			if d, derr := s.store.TaskDefDraft(r.Context(), s.draftOwner(r), m.DraftID); derr == nil {
				var old taskDefDraftState
				if json.Unmarshal(d.Form, &old) == nil && old.Form != nil {
					state.Form = old.Form
				}
			}
			if err := s.saveTaskDefDraft(r, &m, state); err != nil {
				return err
			}
			s.render(w, r, http.StatusUnprocessableEntity, view.TaskDefBuilder(m))
			return nil
		}
		m.Form, m.Notes = f, notes
		if action == "view-json" || action == "save" || action == "refresh" || action == "" {
			// Staying in the JSON view: show the JSON as Berth reads it.
			m.View = "json"
		}
	} else {
		m.Form = form.DecodeTaskDefForm(pf)
	}
	f := m.Form
	f.FillLogDefaults(s.region(r))
	// The secret pickers' name filter: the one in use (a hidden field), or
	// the one a Filter button sends from its container (filterField).
	secretFilter := strings.TrimSpace(pf.Get("secretFilter"))
	filterField := ""

	switch {
	case action == "view-json":
		m.View = "json"
	case action == "view-form":
		m.View = "form"
	case action == "add:containerDefinitions" && len(f.Containers) >= awsrules.ECSMaxContainers:
		// The button is gone at the limit, but a page from before (another
		// tab, Back) can still press it: say so where the containers are.
		m.Errs.Add("containerDefinitions", fmt.Sprintf("A task definition can have at most %d containers. Remove one before adding another.", awsrules.ECSMaxContainers))
		m.View = "form"
		status = http.StatusUnprocessableEntity
	case strings.HasPrefix(action, "add:"):
		if !f.AddRow(strings.TrimPrefix(action, "add:")) {
			return badRequest("There is no list " + strings.TrimPrefix(action, "add:") + " to add to.")
		}
		m.View = "form"
	case strings.HasPrefix(action, "remove:"):
		if !f.RemoveRow(strings.TrimPrefix(action, "remove:")) {
			return badRequest("There is no row " + strings.TrimPrefix(action, "remove:") + " to remove.")
		}
		m.View = "form"
	case strings.HasPrefix(action, "pick-image:"), strings.HasPrefix(action, "pick-credentials:"), strings.HasPrefix(action, "pick-env-secret:"):
		if err := s.taskDefPick(r, &m, action); err != nil {
			return err
		}
		m.View = "form"
	case strings.HasPrefix(action, "filter-secrets:"):
		num := strings.TrimPrefix(action, "filter-secrets:")
		if i, err := strconv.Atoi(num); err != nil || i < 0 || i >= len(f.Containers) {
			return badRequest("There is no container " + num + ".")
		}
		filterField = "containerDefinitions." + num + ".pick.secretFilter"
		secretFilter = strings.TrimSpace(pf.Get(filterField))
		m.View = "form"
	case action == "create-role":
		m.ConfirmRole = true
	case action == "confirm-create-role":
		arn, err := s.clients(r).CreateTaskExecutionRole(r.Context())
		resource := arn
		if resource == "" {
			resource = cloud.TaskExecutionRoleName
		}
		s.audit(r, Entry{Action: "iam.create-role", Resource: resource, Err: err, Detail: "with " + cloud.TaskExecutionPolicyARN})
		if err != nil {
			m.Errs.Add("executionRoleArn", "IAM did not create "+cloud.TaskExecutionRoleName+": "+cloud.ErrorMessage(err))
			status = http.StatusUnprocessableEntity
		} else {
			f.ExecutionRoleArn = arn
			m.Notes = append(m.Notes, "Created the IAM role "+cloud.TaskExecutionRoleName+" with AmazonECSTaskExecutionRolePolicy and chose it as the task execution role.")
		}
	case action == "register":
		done, err := s.taskDefRegister(w, r, &m)
		if err != nil || done {
			return err
		}
		status = http.StatusUnprocessableEntity
	case action == "", action == "save", action == "refresh":
	default:
		return badRequest("Unknown builder action " + action + ".")
	}

	if err := s.saveTaskDefDraft(r, &m, taskDefDraftState{Form: f, View: m.View}); err != nil {
		return err
	}
	if m.View == "json" {
		if m.JSON == "" {
			m.JSON = f.JSON()
		}
	} else {
		// A filter ListSecrets could not take is shown back and, where it
		// was just sent, refused at its field; the lists stay unfiltered.
		usable := secretFilter
		for _, e := range (form.SecretListFilter{Name: secretFilter}).Validate().For("name") {
			usable = ""
			if filterField != "" {
				m.Errs.Add(filterField, e)
				status = http.StatusUnprocessableEntity
			}
		}
		m.Picks = s.taskDefPicks(r, f, secretFilter, usable)
	}
	s.render(w, r, status, view.TaskDefBuilder(m))
	return nil
}

// saveTaskDefDraft stores the builder's state as the person's draft,
// giving the page a draft id on the first save.
func (s *Server) saveTaskDefDraft(r *http.Request, m *view.TaskDefBuilderPage, state taskDefDraftState) error {
	b, err := json.Marshal(state)
	if err != nil {
		return err
	}
	d := store.TaskDefDraft{ID: m.DraftID, Owner: s.draftOwner(r), Base: m.Base, Form: b}
	if state.Form != nil {
		d.Family = state.Form.Family
	}
	if d.ID == "" {
		d.ID = store.NewTaskDefDraftID()
	}
	err = s.store.SaveTaskDefDraft(r.Context(), d)
	if errors.Is(err, store.ErrNotFound) {
		// The id belongs to someone else (or was forged): start a new draft.
		d.ID = store.NewTaskDefDraftID()
		err = s.store.SaveTaskDefDraft(r.Context(), d)
	}
	if err != nil {
		return fmt.Errorf("save draft: %w", err)
	}
	m.DraftID = d.ID
	return nil
}

// taskDefRegister validates and registers. done is true when it answered
// (a redirect); otherwise m holds the problems to show.
func (s *Server) taskDefRegister(w http.ResponseWriter, r *http.Request, m *view.TaskDefBuilderPage) (done bool, err error) {
	f := m.Form
	doc, errs := f.Validate()
	if family := f.FormField("family"); !errs.Has(family) && !s.allowedFor(r, kindFamily, f.Family) {
		errs.Add(family, scopeMessage(s.scopeOf(r, kindFamily), "the task definition family"))
	}
	if errs.Any() {
		m.Errs = errs
		return false, nil
	}
	body, err := doc.Marshal()
	if err != nil {
		return false, err
	}
	c := s.clients(r)
	var created []string
	for i, ct := range f.Containers {
		if ct.LogDriver != "awslogs" || ct.LogOption("awslogs-create-group") != "true" || ct.LogOption("awslogs-group") == "" {
			continue
		}
		group := ct.LogOption("awslogs-group")
		made, err := c.EnsureLogGroup(r.Context(), group)
		if made || err != nil {
			s.audit(r, Entry{Action: "logs.create-log-group", Resource: group, Err: err})
		}
		if err != nil {
			m.Errs.Add("containerDefinitions."+strconv.Itoa(i)+".logDriver", "CloudWatch Logs did not create the log group "+group+": "+cloud.ErrorMessage(err))
			return false, nil
		}
		if made {
			created = append(created, group)
		}
	}
	var before map[string]any
	if m.Base != "" {
		// Read before registering, so the entry keeps RegisterTaskDefinition's request id.
		before = s.taskDefBaseSettings(r, m.Base)
	}
	td, err := c.RegisterTaskDef(r.Context(), body)
	resource := f.Family
	if err == nil {
		resource = td.ARN
	}
	entry := Entry{Action: "task-definition.register", Resource: resource, Err: err, After: taskDefSettings(body)}
	if m.Base != "" {
		entry.Detail = "new revision from " + m.Base
		entry.Before = before
	}
	s.audit(r, entry)
	if err != nil {
		msg := cloud.ErrorMessage(err)
		field := taskDefErrorField(f, msg)
		if cloud.ErrorCode(err) == "" {
			msg, _ = cloud.Explain(err)
		}
		m.Errs.Add(field, "ECS refused the task definition: "+msg)
		return false, nil
	}
	if m.DraftID != "" {
		if err := s.store.DeleteTaskDefDraft(r.Context(), s.draftOwner(r), m.DraftID); err != nil {
			s.log.Error("delete registered draft", "err", err, "draft", m.DraftID)
		}
	}
	msg := fmt.Sprintf("Registered %s:%d.", td.Family, td.Revision)
	if len(created) > 0 {
		msg += " Created the log group " + strings.Join(created, ", ") + "."
	}
	s.redirectWithFlash(w, r, taskDefHref(td.Family, td.Revision), msg)
	return true, nil
}

// taskDefBaseSettings is what the audit trail records as "before" for a
// revision built from base (family:revision): base's registerable settings,
// as the builder started from them, so the entry shows only what changed.
// nil (every setting new) when base is outside the person's scope or cannot
// be described.
func (s *Server) taskDefBaseSettings(r *http.Request, base string) map[string]any {
	fam, rev := cloud.ParseTaskDefARN(base)
	if rev == 0 || !s.allowedFor(r, kindFamily, fam) {
		return nil
	}
	td, err := s.clients(r).DescribeTaskDef(r.Context(), base)
	if err != nil {
		s.log.Warn("audit: describe the base revision", "base", base, "err", err)
		return nil
	}
	doc, err := editableJSON(td)
	if err != nil {
		return nil
	}
	b, err := doc.Marshal()
	if err != nil {
		return nil
	}
	return taskDefSettings(b)
}

var quotedName = regexp.MustCompile(`container '([^']*)'`)

// taskDefErrorField finds the field an ECS refusal is about, from the
// words of its message; "" puts it at the top of the form.
func taskDefErrorField(f *form.TaskDefForm, msg string) string {
	low := strings.ToLower(msg)
	container := -1
	if m := quotedName.FindStringSubmatch(msg); m != nil {
		for i, c := range f.Containers {
			if c.Name == m[1] {
				container = i
			}
		}
	}
	cf := func(key string) string {
		if container < 0 {
			return ""
		}
		return f.FormField(fmt.Sprintf("containerDefinitions[%d].%s", container, key))
	}
	switch {
	case strings.Contains(msg, "'memoryReservation'"):
		return cf("memoryReservation")
	case strings.Contains(msg, "'memory'") && container >= 0:
		return cf("memory")
	case strings.Contains(msg, "'cpu'") && container >= 0:
		return cf("cpu")
	case strings.Contains(msg, "'cpu'"):
		return f.FormField("cpu")
	case strings.Contains(msg, "'memory'"), strings.Contains(low, "fargate configuration"):
		return f.FormField("memory")
	case strings.Contains(low, "execution role"), strings.Contains(msg, "executionRoleArn"):
		return f.FormField("executionRoleArn")
	case strings.Contains(msg, "taskRoleArn"), strings.Contains(low, "task role"):
		return f.FormField("taskRoleArn")
	case strings.Contains(low, "network mode"), strings.Contains(msg, "networkMode"):
		return f.FormField("networkMode")
	case strings.HasPrefix(low, "family"):
		return f.FormField("family")
	case strings.Contains(low, "tag"):
		return f.FormField("tags")
	}
	return ""
}

// taskDefPick applies a picker choice to the form.
func (s *Server) taskDefPick(r *http.Request, m *view.TaskDefBuilderPage, action string) error {
	kind, num, _ := strings.Cut(action, ":")
	i, err := strconv.Atoi(num)
	if err != nil || i < 0 || i >= len(m.Form.Containers) {
		return badRequest("There is no container " + num + ".")
	}
	c := &m.Form.Containers[i]
	p := "containerDefinitions." + num + ".pick."
	pf := r.PostForm
	switch kind {
	case "pick-image":
		repoURI := strings.TrimSpace(pf.Get(p + "repository"))
		ref, ok := cloud.ParseECRImage(repoURI)
		if !ok || !s.allowedFor(r, kindRepository, ref.Repository) {
			m.Errs.Add("containerDefinitions."+num+".image", "Choose an ECR repository.")
			return nil
		}
		tag := strings.TrimSpace(pf.Get(p + "tag"))
		currentRepo := c.Image
		if j := strings.LastIndex(currentRepo, ":"); j > strings.LastIndex(currentRepo, "/") {
			currentRepo = currentRepo[:j]
		}
		if tag == "" || currentRepo != repoURI {
			// Another repository: its own tags decide, "latest" first.
			tags, _, err := s.clients(r).PickerImageTags(r.Context(), ref.Repository)
			tag = "latest"
			if err == nil && len(tags) > 0 && !contains(tags, "latest") {
				tag = tags[0]
			}
		}
		c.Image = repoURI + ":" + tag
	case "pick-credentials":
		arn := strings.TrimSpace(pf.Get(p + "credentials"))
		if arn == "" || !s.secretARNInScope(r, arn) {
			return nil
		}
		c.PrivateRegistry, c.CredentialsParameter = true, arn
		field := "containerDefinitions." + num + ".repositoryCredentials.credentialsParameter"
		ok, err := s.clients(r).SecretHoldsRegistryCredentials(r.Context(), arn)
		// Berth read the value (to check its shape, never shown): a retrieval.
		s.audit(r, Entry{Action: "secret.get-value", Resource: arn, Err: err,
			Detail: "checked for a username and password by the task definition builder; not shown"})
		switch {
		case err != nil:
			m.Warnings[field] = "Berth could not read this secret to check it holds a username and password: " + cloud.ErrorMessage(err)
		case !ok:
			m.Warnings[field] = "This secret does not hold a JSON username and password, which private registry authentication needs: {\"username\": \"…\", \"password\": \"…\"}."
		}
	case "pick-env-secret":
		arn := strings.TrimSpace(pf.Get(p + "env"))
		if arn == "" || !s.secretARNInScope(r, arn) {
			return nil
		}
		name := strings.TrimSpace(pf.Get(p + "envName"))
		if name == "" {
			secretName, _ := cloud.SecretNameFromARN(arn)
			name = envNameFor(secretName)
		}
		valueFrom := arn
		if key := strings.TrimSpace(pf.Get(p + "envKey")); key != "" {
			name = strings.TrimSpace(pf.Get(p + "envName"))
			if name == "" {
				name = envNameFor(key)
			}
			// Secrets Manager reference to one JSON key: arn:json-key:version-stage:version-id.
			valueFrom = arn + ":" + key + "::"
		}
		c.Env = append(c.Env, form.EnvForm{Name: name, Type: form.EnvTypeValueFrom, Value: valueFrom})
	}
	return nil
}

// secretARNInScope reports whether a picked secret is one the person may
// use: the pickers offer only those, and a forged choice is ignored.
func (s *Server) secretARNInScope(r *http.Request, arn string) bool {
	name, ok := cloud.SecretNameFromARN(arn)
	return ok && s.allowedFor(r, kindSecret, name)
}

var envNameInvalid = regexp.MustCompile(`[^A-Za-z0-9_]+`)

// envNameFor turns a secret name ("production/db-password") into an
// environment variable name (DB_PASSWORD).
func envNameFor(s string) string {
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		s = s[i+1:]
	}
	return strings.Trim(strings.ToUpper(envNameInvalid.ReplaceAllString(s, "_")), "_")
}

// taskDefPicks loads the pickers' choices: one page of repositories,
// secrets and task roles, and the tags of the repositories the containers'
// images come from. Failures show at the picker; the fields still take
// any value typed.
func (s *Server) taskDefPicks(r *http.Request, f *form.TaskDefForm, shownFilter, prefix string) view.TaskDefPicks {
	s.user(r) // resolved on this goroutine, before the ones below read it
	c := s.clients(r)
	// The secret lists start with prefix (the name filter, when ListSecrets
	// takes it); a scoped person's lists ask for their scope, as the
	// secrets page does.
	if scope := s.scopeOf(r, kindSecret); scope != "" && strings.HasPrefix(scope, prefix) {
		prefix = scope
	}
	ctx := r.Context()
	var (
		p = view.TaskDefPicks{Tags: map[int][]string{}, RegistryTag: cloud.RegistryCredentialsTagKey + "=" + cloud.RegistryCredentialsTagValue,
			SecretFilter: shownFilter}
		mu sync.Mutex
		wg sync.WaitGroup
	)
	toOptions := func(cs []cloud.PickerChoice) []view.Option {
		out := make([]view.Option, len(cs))
		for i, ch := range cs {
			out[i] = view.Option{Value: ch.Value, Label: ch.Label}
		}
		sort.Slice(out, func(i, j int) bool { return out[i].Label < out[j].Label })
		return out
	}
	wg.Go(func() {
		cs, more, err := c.PickerRepositories(ctx)
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			p.RepositoriesErr = cloud.ErrorMessage(err)
			return
		}
		p.Repositories, p.RepositoriesMore = toOptions(s.inScopeChoices(r, kindRepository, cs)), more
	})
	wg.Go(func() {
		cs, more, err := c.PickerSecrets(ctx, prefix)
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			p.SecretsErr = cloud.ErrorMessage(err)
			return
		}
		cs = s.inScopeChoices(r, kindSecret, cs)
		var registry, others []cloud.PickerChoice
		for _, ch := range cs {
			if ch.Registry {
				registry = append(registry, ch)
			} else {
				others = append(others, ch)
			}
		}
		p.Secrets, p.RegistrySecrets, p.OtherSecrets, p.SecretsMore = toOptions(cs), toOptions(registry), toOptions(others), more
	})
	wg.Go(func() {
		cs, _, err := c.PickerTaskRoles(ctx)
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			p.RolesErr = cloud.ErrorMessage(err)
			return
		}
		p.Roles = toOptions(cs)
		for _, ch := range cs {
			if ch.Label == cloud.TaskExecutionRoleName {
				p.ExecutionRoleExists = true
			}
		}
	})
	repos := map[string][]int{}
	for i, ct := range f.Containers {
		if ref, ok := cloud.ParseECRImage(ct.Image); ok && ref.Region == c.Region && s.allowedFor(r, kindRepository, ref.Repository) {
			repos[ref.Repository] = append(repos[ref.Repository], i)
		}
	}
	for repo, idx := range repos {
		wg.Go(func() {
			tags, _, err := c.PickerImageTags(ctx, repo)
			if err != nil {
				return // no such repository: the picker offers repositories only
			}
			mu.Lock()
			defer mu.Unlock()
			for _, i := range idx {
				p.Tags[i] = tags
			}
		})
	}
	wg.Wait()
	return p
}

// inScopeChoices keeps the picker choices whose label (the repository or
// secret name) is in the person's scope.
func (s *Server) inScopeChoices(r *http.Request, kind resourceKind, cs []cloud.PickerChoice) []cloud.PickerChoice {
	out := cs[:0:0]
	for _, ch := range cs {
		if s.allowedFor(r, kind, ch.Label) {
			out = append(out, ch)
		}
	}
	return out
}

// taskDefDrafts lists the person's drafts.
func (s *Server) taskDefDrafts(w http.ResponseWriter, r *http.Request) error {
	m := view.TaskDefDraftsPage{Page: s.page(w, r, "Drafts", view.SectionTaskDefs, taskDefCrumbs(view.Crumb{Label: "Drafts"})...)}
	drafts, err := s.store.TaskDefDrafts(r.Context(), s.draftOwner(r), taskDefMaxDrafts)
	if err != nil {
		return err
	}
	for _, d := range drafts {
		row := view.TaskDefDraftRow{ID: d.ID, Family: d.Family, Base: d.Base, Updated: taskDefTime(d.UpdatedAt)}
		var st taskDefDraftState
		if json.Unmarshal(d.Form, &st) == nil && st.Form != nil {
			row.Containers = len(st.Form.Containers)
		}
		m.Drafts = append(m.Drafts, row)
	}
	s.render(w, r, http.StatusOK, view.TaskDefDrafts(m))
	return nil
}

// taskDefDraftDelete discards a draft.
func (s *Server) taskDefDraftDelete(w http.ResponseWriter, r *http.Request) error {
	if err := s.store.DeleteTaskDefDraft(r.Context(), s.draftOwner(r), chi.URLParam(r, "id")); err != nil {
		return err
	}
	s.redirectWithFlash(w, r, "/task-definitions/drafts", "Discarded the draft.")
	return nil
}

// taskDefDraftDiff compares a draft with the latest ACTIVE revision of its family.
func (s *Server) taskDefDraftDiff(w http.ResponseWriter, r *http.Request) error {
	id := chi.URLParam(r, "id")
	d, err := s.store.TaskDefDraft(r.Context(), s.draftOwner(r), id)
	if errors.Is(err, store.ErrNotFound) {
		return notFound("There is no draft " + id + ".")
	}
	if err != nil {
		return err
	}
	var st taskDefDraftState
	if err := json.Unmarshal(d.Form, &st); err != nil || st.Form == nil {
		return badRequest("This draft holds JSON that does not parse yet; resume it to fix the JSON.")
	}
	draftDoc, _ := st.Form.Document()
	// A draft holds the family as typed: none yet, or a name ECS refuses,
	// has nothing registered under it, and AWS is not asked.
	var td *cloud.TaskDefRevision
	if awsrules.ValidECSName(st.Form.Family) {
		if err := s.familyInScope(r, st.Form.Family); err != nil {
			return err
		}
		td, err = s.clients(r).DescribeTaskDef(r.Context(), st.Form.Family)
		if err != nil && !errors.Is(err, cloud.ErrTaskDefNotFound) {
			return err
		}
	}
	if td == nil {
		// Nothing registered (or nothing active) yet: say so rather than 404.
		m := view.TaskDefDiffPage{
			Page:     s.page(w, r, "Compare draft", view.SectionTaskDefs, taskDefCrumbs(view.Crumb{Label: "Drafts", Href: "/task-definitions/drafts"}, view.Crumb{Label: "Compare"})...),
			Family:   st.Form.Family,
			Right:    view.TaskDefLink{Label: "draft", Href: "/task-definitions/new?draft=" + url.QueryEscape(id)},
			NoLatest: true,
		}
		s.render(w, r, http.StatusOK, view.TaskDefDiff(m))
		return nil
	}
	latest, err := editableJSON(td)
	if err != nil {
		return err
	}
	all := r.URL.Query().Get("all") == "1"
	base := "/task-definitions/drafts/" + url.PathEscape(id) + "/diff"
	m := view.TaskDefDiffPage{
		Page:   s.page(w, r, "Compare draft", view.SectionTaskDefs, taskDefCrumbs(view.Crumb{Label: "Drafts", Href: "/task-definitions/drafts"}, view.Crumb{Label: "Compare"})...),
		Family: td.Family,
		Left:   view.TaskDefLink{Label: fmt.Sprintf("%s:%d", td.Family, td.Revision), Href: taskDefHref(td.Family, td.Revision)},
		Right:  view.TaskDefLink{Label: "draft", Href: "/task-definitions/new?draft=" + url.QueryEscape(id)},
		All:    all, AllHref: base,
		Sections: form.TaskDefDiff(latest, draftDoc),
	}
	if !all {
		m.AllHref = base + "?all=1"
	}
	for _, sec := range m.Sections {
		m.Changed += sec.Changed
	}
	s.render(w, r, http.StatusOK, view.TaskDefDiff(m))
	return nil
}
