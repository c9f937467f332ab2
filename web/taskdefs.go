package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/berthhq/berth/internal/awsrules"
	"github.com/berthhq/berth/internal/cloud"
	"github.com/berthhq/berth/internal/store"
	"github.com/berthhq/berth/web/form"
	"github.com/berthhq/berth/web/view"
)

// Page sizes: one ListTaskDefinitionFamilies call per families page; one
// ListTaskDefinitions call per family page plus a describe for each
// revision not described before (they are cached: revisions never change).
const (
	taskDefFamiliesPageSize = 50
	taskDefRevisionsPerPage = 25
)

// familyInScope answers a family outside the person's scope with the
// same 404 as a family that does not exist.
func (s *Server) familyInScope(r *http.Request, family string) error {
	return s.inScope(r, kindFamily, family, "There is no task definition family named "+family+" in "+s.region(r)+".")
}

// taskDefSettings is what the audit trail records of a registration: the
// registered document (environment values are withheld by the trail, as
// any field named like a value is).
func taskDefSettings(doc []byte) map[string]any {
	var m map[string]any
	if json.Unmarshal(doc, &m) != nil {
		return nil
	}
	return m
}

func taskDefCrumbs(extra ...view.Crumb) []view.Crumb {
	return append([]view.Crumb{{Label: "Task definitions", Href: "/task-definitions"}}, extra...)
}

// taskDefFamilies lists families (ListTaskDefinitionFamilies) with a status
// filter, prefix search and pagination.
func (s *Server) taskDefFamilies(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	status := q.Get("status")
	switch status {
	case "ACTIVE", "INACTIVE", "ALL":
	case "":
		status = "ACTIVE"
	default:
		return badRequest("Status must be ACTIVE, INACTIVE or ALL.")
	}
	m := view.TaskDefFamiliesPage{
		Page:   s.page(w, r, "Task definitions", view.SectionTaskDefs),
		Status: status, Prefix: strings.TrimSpace(q.Get("prefix")), Token: q.Get("token"),
	}
	// A scoped person's search starts at their scope: ECS lists only their
	// families, and every row is checked against the scope as well.
	prefix := m.Prefix
	scope := s.scopeOf(r, kindFamily)
	switch {
	case strings.HasPrefix(prefix, scope):
	case strings.HasPrefix(scope, prefix):
		prefix = scope
	default:
		prefix = "" // a prefix outside the scope: nothing to show
	}
	var page cloud.TaskDefFamilyPage
	var err error
	if prefix != "" || scope == "" {
		page, err = s.clients(r).ListTaskDefFamilies(r.Context(), status, prefix, m.Token, taskDefFamiliesPageSize)
	}
	code := http.StatusOK
	if err != nil {
		m.Err, code = pageProblem(err, m.Token)
	} else {
		for _, f := range page.Families {
			if s.allowedFor(r, kindFamily, f) {
				m.Families = append(m.Families, f)
			}
		}
		m.NextToken = page.NextToken
	}
	if drafts, err := s.store.TaskDefDrafts(r.Context(), s.draftOwner(r), taskDefMaxDrafts); err == nil {
		m.Drafts = len(drafts)
	}
	s.render(w, r, code, view.TaskDefFamilies(m))
	return nil
}

// taskDefFamily lists a family's revisions newest first, one status at a time.
func (s *Server) taskDefFamily(w http.ResponseWriter, r *http.Request) error {
	family, err := s.familyParam(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	status := q.Get("status")
	switch status {
	case "ACTIVE", "INACTIVE", "DELETE_IN_PROGRESS":
	case "":
		status = "ACTIVE"
	default:
		return badRequest("Status must be ACTIVE, INACTIVE or DELETE_IN_PROGRESS.")
	}
	m := view.TaskDefFamilyPage{
		Page:   s.page(w, r, family, view.SectionTaskDefs, taskDefCrumbs(view.Crumb{Label: family})...),
		Family: family, Status: status, Token: q.Get("token"),
	}
	c := s.clients(r)
	page, err := c.ListTaskDefRevisions(r.Context(), family, status, m.Token, taskDefRevisionsPerPage)
	m.History = s.familyHistory(r, family, page.Revisions)
	if err != nil {
		var code int
		m.Err, code = pageProblem(err, m.Token)
		s.render(w, r, code, view.TaskDefFamily(m))
		return nil
	}
	m.NextToken = page.NextToken
	arns := make([]string, len(page.Revisions))
	for i, rv := range page.Revisions {
		arns[i] = rv.ARN
	}
	sums, err := c.TaskDefSummaries(r.Context(), arns)
	if err != nil {
		m.Err = "Could not describe every revision: " + problemText(err)
	}
	for i, rv := range page.Revisions {
		row := view.TaskDefRevisionRow{Revision: rv.Revision, Status: status}
		if i < len(sums) && sums[i] != nil {
			row.RegisteredAt, row.RegisteredBy = taskDefTime(sums[i].RegisteredAt), sums[i].RegisteredBy
		}
		m.Rows = append(m.Rows, row)
	}
	s.render(w, r, http.StatusOK, view.TaskDefFamily(m))
	return nil
}

// familyHistory is the recent audit entries of a family: those of its
// revisions (by ARN prefix) and its failed registrations (by name).
func (s *Server) familyHistory(r *http.Request, family string, listed []cloud.TaskDefRevisionRef) []view.AuditRow {
	prefix := ""
	if len(listed) > 0 {
		if i := strings.LastIndexByte(listed[0].ARN, ':'); i > 0 {
			prefix = listed[0].ARN[:i+1]
		}
	} else if id, err := s.identity(r); err == nil {
		prefix = "arn:aws:ecs:" + s.region(r) + ":" + id.Account + ":task-definition/" + family + ":"
	}
	if prefix == "" {
		return s.history(r, family)
	}
	return s.historyOfPrefix(r, prefix, family)
}

func taskDefTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

// familyParam reads {family} from the path; a family outside the person's
// scope is a 404 like a missing one.
func (s *Server) familyParam(r *http.Request) (string, error) {
	family := chi.URLParam(r, "family")
	if !awsrules.ValidECSName(family) {
		return "", notFound("There is no task definition family named " + family + ".")
	}
	return family, s.familyInScope(r, family)
}

// taskDefRef reads {family} and {revision} from the path; a family outside
// the person's scope is a 404.
func (s *Server) taskDefRef(r *http.Request) (family string, revision int, err error) {
	family = chi.URLParam(r, "family")
	revision, convErr := strconv.Atoi(chi.URLParam(r, "revision"))
	if !awsrules.ValidECSName(family) || convErr != nil || revision < 1 {
		return "", 0, notFound("There is no task definition " + family + ":" + chi.URLParam(r, "revision") + ".")
	}
	if err := s.familyInScope(r, family); err != nil {
		return "", 0, err
	}
	return family, revision, nil
}

func (s *Server) describeTaskDef(r *http.Request, id string) (*cloud.TaskDefRevision, error) {
	td, err := s.clients(r).DescribeTaskDef(r.Context(), id)
	if errors.Is(err, cloud.ErrTaskDefNotFound) {
		return nil, notFound("There is no task definition " + id + " in " + s.region(r) + ".")
	}
	return td, err
}

// taskDefLatest redirects to a family's latest ACTIVE revision.
func (s *Server) taskDefLatest(w http.ResponseWriter, r *http.Request) error {
	family, err := s.familyParam(r)
	if err != nil {
		return err
	}
	td, err := s.clients(r).DescribeTaskDef(r.Context(), family)
	if errors.Is(err, cloud.ErrTaskDefNotFound) {
		// A family with no ACTIVE revision: its page lists the others.
		http.Redirect(w, r, "/task-definitions/"+url.PathEscape(family)+"?status=INACTIVE", http.StatusSeeOther)
		return nil
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, taskDefHref(td.Family, td.Revision), http.StatusSeeOther)
	return nil
}

func taskDefHref(family string, revision int) string {
	return "/task-definitions/" + url.PathEscape(family) + "/" + strconv.Itoa(revision)
}

// registerableJSON is a described revision as RegisterTaskDefinition takes
// it: read-only keys removed, tags added.
func registerableJSON(td *cloud.TaskDefRevision) (form.TaskDefDoc, error) {
	doc, _, err := form.ParseTaskDefDoc(td.Doc)
	if err != nil {
		return nil, err
	}
	if len(td.Tags) > 0 {
		tags := make([]any, len(td.Tags))
		for i, t := range td.Tags {
			tags[i] = map[string]any{"key": t.Key, "value": t.Value}
		}
		doc["tags"] = tags
	}
	return doc, nil
}

// editableJSON is registerableJSON without the host ports ECS filled in
// for awsvpc, which would repeat every port change: what the builder starts
// from and what comparisons show.
func editableJSON(td *cloud.TaskDefRevision) (form.TaskDefDoc, error) {
	doc, err := registerableJSON(td)
	if err != nil {
		return nil, err
	}
	doc.DropFilledHostPorts()
	return doc, nil
}

// revisionFromPath describes the revision the path names and its
// registerable JSON.
func (s *Server) revisionFromPath(r *http.Request) (*cloud.TaskDefRevision, form.TaskDefDoc, error) {
	family, rev, err := s.taskDefRef(r)
	if err != nil {
		return nil, nil, err
	}
	td, err := s.describeTaskDef(r, family+":"+strconv.Itoa(rev))
	if err != nil {
		return nil, nil, err
	}
	doc, err := registerableJSON(td)
	return td, doc, err
}

// taskDefRevision shows one revision: overview, containers, volumes, tags, JSON.
func (s *Server) taskDefRevision(w http.ResponseWriter, r *http.Request) error {
	td, doc, err := s.revisionFromPath(r)
	if err != nil {
		return err
	}
	family, rev := td.Family, td.Revision
	typed := doc.Typed()
	var raw struct {
		Compatibilities []string `json:"compatibilities"`
	}
	_ = json.Unmarshal(td.Doc, &raw)
	title := fmt.Sprintf("%s:%d", family, rev)
	m := view.TaskDefRevisionPage{
		Page: s.page(w, r, title, view.SectionTaskDefs, taskDefCrumbs(
			view.Crumb{Label: family, Href: "/task-definitions/" + url.PathEscape(family)}, view.Crumb{Label: "Revision " + strconv.Itoa(rev)})...),
		Tab: r.URL.Query().Get("tab"), ARN: td.ARN, Family: td.Family, Revision: td.Revision, Status: td.Status,
		RegisteredAt: taskDefTime(td.RegisteredAt), RegisteredBy: td.RegisteredBy, DeregisteredAt: taskDefTime(td.DeregisteredAt),
		Compatibilities: strings.Join(raw.Compatibilities, ", "), RequiresCompatibilities: strings.Join(typed.RequiresCompatibilities, ", "),
		NetworkMode: typed.NetworkMode, CPU: taskDefUnits(typed.CPU, "CPU units", 1024, " vCPU"), Memory: taskDefUnits(typed.Memory, "MiB", 1024, " GB"),
		TaskRole: typed.TaskRoleArn, ExecutionRole: typed.ExecutionRoleArn, JSON: string(doc.MarshalIndent()),
		History: s.history(r, td.ARN),
	}
	if m.Tab != "json" {
		m.Tab = ""
	}
	if rp := typed.RuntimePlatform; rp != nil {
		m.OSArch = strings.Trim(rp.OperatingSystemFamily+"/"+rp.CPUArchitecture, "/")
	}
	if es := typed.EphemeralStorage; es != nil && es.SizeInGiB != nil {
		m.EphemeralStorage = strconv.Itoa(*es.SizeInGiB) + " GiB"
	}
	for _, t := range td.Tags {
		m.Tags = append(m.Tags, form.KeyValue{Key: t.Key, Value: t.Value})
	}
	for _, v := range typed.Volumes {
		row := view.TaskDefVolumeRow{Name: v.Name, Kind: "Bind mount"}
		switch {
		case v.EfsVolumeConfiguration != nil:
			row.Kind, row.Detail = "EFS", v.EfsVolumeConfiguration.FileSystemID+":"+v.EfsVolumeConfiguration.RootDirectory
		case v.DockerVolumeConfiguration != nil:
			row.Kind, row.Detail = "Docker volume", strings.Trim(v.DockerVolumeConfiguration.Scope+" "+v.DockerVolumeConfiguration.Driver, " ")
		case v.Host != nil:
			row.Detail = v.Host.SourcePath
		}
		m.Volumes = append(m.Volumes, row)
	}
	if m.Tab == "" {
		m.Containers = s.taskDefContainerRows(r, typed.ContainerDefinitions)
	}
	s.render(w, r, http.StatusOK, view.TaskDefRevision(m))
	return nil
}

// taskDefUnits shows a task size with its friendlier unit: "256 CPU units (0.25 vCPU)".
func taskDefUnits(v, unit string, per float64, big string) string {
	n, err := strconv.Atoi(v)
	if err != nil {
		return v
	}
	return fmt.Sprintf("%d %s (%s%s)", n, unit, strconv.FormatFloat(float64(n)/per, 'f', -1, 64), big)
}

// taskDefContainerRows builds the containers table, linking images to
// their ECR repositories and secrets to their pages. Checking an image
// costs one ECR call per distinct ECR image (at most ten containers).
func (s *Server) taskDefContainerRows(r *http.Request, cds []form.ContainerDef) []view.TaskDefContainerRow {
	c := s.clients(r)
	checked := map[string]cloud.ECRImageState{}
	var rows []view.TaskDefContainerRow
	for _, cd := range cds {
		row := view.TaskDefContainerRow{
			Name: cd.Name, Image: view.TaskDefLink{Label: cd.Image}, Essential: cd.Essential == nil || *cd.Essential,
			CPU: intText(cd.CPU), MemoryHard: intText(cd.Memory), MemorySoft: intText(cd.MemoryReservation), EnvCount: len(cd.Environment),
		}
		for _, rr := range cd.ResourceRequirements {
			if rr.Type == "GPU" {
				row.GPU = rr.Value
			}
		}
		if ref, ok := cloud.ParseECRImage(cd.Image); ok {
			state, seen := checked[cd.Image]
			if !seen {
				state = c.CheckECRImage(r.Context(), ref)
				checked[cd.Image] = state
			}
			row.Image.Href = "/repositories/" + url.PathEscape(ref.Repository)
			switch state {
			case cloud.ECRRepositoryMissing:
				row.Image.Warning, row.Image.Href = "repository does not exist", ""
			case cloud.ECRImageMissing:
				row.Image.Warning = "no image with this tag"
			}
		}
		for _, p := range cd.PortMappings {
			row.Ports = append(row.Ports, portText(p))
		}
		for _, sec := range cd.Secrets {
			row.Secrets = append(row.Secrets, secretLink(sec.Name+" ← ", sec.ValueFrom))
		}
		if rc := cd.RepositoryCredentials; rc != nil {
			l := secretLink("", rc.CredentialsParameter)
			row.Credentials = &l
		}
		if lc := cd.LogConfiguration; lc != nil {
			row.Log = lc.LogDriver
			row.LogGroup = lc.Options["awslogs-group"]
		}
		rows = append(rows, row)
	}
	return rows
}

func intText(p *int) string {
	if p == nil {
		return "—"
	}
	return strconv.Itoa(*p)
}

func portText(p form.PortMapping) string {
	s := ""
	switch {
	case p.ContainerPortRange != "":
		s = p.ContainerPortRange
	case p.ContainerPort != nil:
		s = strconv.Itoa(*p.ContainerPort)
	}
	if p.HostPort != nil {
		s = strconv.Itoa(*p.HostPort) + ":" + s
	}
	proto := p.Protocol
	if proto == "" {
		proto = "tcp"
	}
	s += "/" + proto
	if p.Name != "" {
		s += " (" + p.Name
		if p.AppProtocol != "" {
			s += ", " + p.AppProtocol
		}
		s += ")"
	}
	return s
}

// secretLink links a Secrets Manager reference to the secret's page;
// Parameter Store references stay plain text.
func secretLink(prefix, ref string) view.TaskDefLink {
	l := view.TaskDefLink{Label: prefix + ref}
	if name, ok := cloud.SecretNameFromARN(ref); ok {
		l.Href = "/secrets/" + url.PathEscape(name)
	}
	return l
}

// taskDefDownload serves the registerable JSON as a file.
func (s *Server) taskDefDownload(w http.ResponseWriter, r *http.Request) error {
	td, doc, err := s.revisionFromPath(r)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-%d.json"`, td.Family, td.Revision))
	w.Write(append(doc.MarshalIndent(), '\n'))
	return nil
}

// taskDefDeregister asks, then marks a revision INACTIVE.
func (s *Server) taskDefDeregister(w http.ResponseWriter, r *http.Request) error {
	family, rev, err := s.taskDefRef(r)
	if err != nil {
		return err
	}
	id := family + ":" + strconv.Itoa(rev)
	back := taskDefHref(family, rev)
	if r.PostFormValue("confirm") != "yes" {
		s.render(w, r, http.StatusOK, view.TaskDefConfirm(view.TaskDefConfirmPage{
			Page: s.page(w, r, "Deregister "+id, view.SectionTaskDefs, taskDefCrumbs(
				view.Crumb{Label: family, Href: "/task-definitions/" + url.PathEscape(family)}, view.Crumb{Label: "Deregister"})...),
			Heading: "Deregister " + id + "?",
			Messages: []string{
				"A deregistered (INACTIVE) revision can no longer start new tasks or services. Running tasks and services that use it keep running.",
				"This cannot be undone: ECS has no way to make a revision ACTIVE again. You can register a new revision with the same settings.",
			},
			Action: back + "/deregister", Button: "Deregister", Cancel: back,
		}))
		return nil
	}
	td, err := s.describeTaskDef(r, id)
	if err != nil {
		return err
	}
	err = s.clients(r).DeregisterTaskDef(r.Context(), td.ARN)
	s.audit(r, Entry{Action: "task-definition.deregister", Resource: td.ARN, Err: err})
	if err != nil {
		if errors.Is(err, cloud.ErrTaskDefNotFound) {
			return notFound("There is no task definition " + id + ".")
		}
		s.flash(w, r, "error", "ECS did not deregister "+id+": "+cloud.ErrorMessage(err))
		http.Redirect(w, r, back, http.StatusSeeOther)
		return nil
	}
	s.redirectWithFlash(w, r, back, "Deregistered "+id+". It is INACTIVE now.")
	return nil
}

// taskDefDelete asks, then deletes up to ten INACTIVE revisions of a family.
func (s *Server) taskDefDelete(w http.ResponseWriter, r *http.Request) error {
	family, err := s.familyParam(r)
	if err != nil {
		return err
	}
	back := "/task-definitions/" + url.PathEscape(family) + "?status=INACTIVE"
	var revs []int
	seen := map[int]bool{}
	for _, v := range r.PostForm["rev"] {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return badRequest("Revision " + v + " is not a revision number.")
		}
		if !seen[n] {
			seen[n] = true
			revs = append(revs, n)
		}
	}
	sort.Sort(sort.Reverse(sort.IntSlice(revs)))
	switch {
	case len(revs) == 0:
		s.flash(w, r, "error", "Select the INACTIVE revisions to delete.")
		http.Redirect(w, r, back, http.StatusSeeOther)
		return nil
	case len(revs) > cloud.TaskDefMaxDelete:
		s.flash(w, r, "error", fmt.Sprintf("ECS deletes at most %d revisions at once; %d were selected.", cloud.TaskDefMaxDelete, len(revs)))
		http.Redirect(w, r, back, http.StatusSeeOther)
		return nil
	}
	ids := make([]string, len(revs))
	fields := make([]form.KeyValue, len(revs))
	for i, n := range revs {
		ids[i] = family + ":" + strconv.Itoa(n)
		fields[i] = form.KeyValue{Key: "rev", Value: strconv.Itoa(n)}
	}
	if r.PostFormValue("confirm") != "yes" {
		s.render(w, r, http.StatusOK, view.TaskDefConfirm(view.TaskDefConfirmPage{
			Page: s.page(w, r, "Delete revisions", view.SectionTaskDefs, taskDefCrumbs(
				view.Crumb{Label: family, Href: "/task-definitions/" + url.PathEscape(family)}, view.Crumb{Label: "Delete"})...),
			Heading: "Delete " + strings.Join(ids, ", ") + "?",
			Messages: []string{
				"Only INACTIVE revisions can be deleted; deregister ACTIVE ones first.",
				"ECS marks deleted revisions DELETE_IN_PROGRESS and removes them once no task or service uses them. This cannot be undone.",
			},
			Action: "/task-definitions/" + url.PathEscape(family) + "/delete", Fields: fields, Button: "Delete", Cancel: back,
		}))
		return nil
	}
	deleted, failures, err := s.clients(r).DeleteTaskDefs(r.Context(), ids)
	for _, arn := range deleted {
		s.audit(r, Entry{Action: "task-definition.delete", Resource: arn, Detail: "DELETE_IN_PROGRESS"})
	}
	for _, f := range failures {
		s.audit(r, Entry{Action: "task-definition.delete", Resource: f.ARN, Outcome: store.OutcomeFailure, Detail: f.Reason})
	}
	if err != nil {
		for _, id := range ids {
			s.audit(r, Entry{Action: "task-definition.delete", Resource: id, Err: err})
		}
		s.flash(w, r, "error", "ECS did not delete the revisions: "+cloud.ErrorMessage(err))
		http.Redirect(w, r, back, http.StatusSeeOther)
		return nil
	}
	for _, f := range failures {
		fam, rev := cloud.ParseTaskDefARN(f.ARN)
		s.flash(w, r, "error", fmt.Sprintf("%s:%d was not deleted: %s", fam, rev, f.Reason))
	}
	if len(deleted) > 0 {
		s.redirectWithFlash(w, r, "/task-definitions/"+url.PathEscape(family)+"?status=DELETE_IN_PROGRESS",
			fmt.Sprintf("Deleting %d revision(s). They show as DELETE_IN_PROGRESS until no task or service uses them.", len(deleted)))
		return nil
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
	return nil
}

// taskDefDiff compares two revisions of a family.
func (s *Server) taskDefDiff(w http.ResponseWriter, r *http.Request) error {
	family, err := s.familyParam(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	var revs []int
	for _, v := range q["rev"] {
		if n, err := strconv.Atoi(v); err == nil && n > 0 {
			revs = append(revs, n)
		}
	}
	if len(revs) != 2 {
		s.flash(w, r, "error", "Pick exactly two revisions to compare.")
		http.Redirect(w, r, "/task-definitions/"+url.PathEscape(family), http.StatusSeeOther)
		return nil
	}
	sort.Ints(revs)
	docs := make([]form.TaskDefDoc, 2)
	for i, n := range revs {
		td, err := s.describeTaskDef(r, family+":"+strconv.Itoa(n))
		if err != nil {
			return err
		}
		if docs[i], err = editableJSON(td); err != nil {
			return err
		}
	}
	all := q.Get("all") == "1"
	base := "/task-definitions/" + url.PathEscape(family) + "/diff?rev=" + strconv.Itoa(revs[0]) + "&rev=" + strconv.Itoa(revs[1])
	m := view.TaskDefDiffPage{
		Page: s.page(w, r, "Compare revisions", view.SectionTaskDefs, taskDefCrumbs(
			view.Crumb{Label: family, Href: "/task-definitions/" + url.PathEscape(family)}, view.Crumb{Label: "Compare"})...),
		Family: family,
		Left:   view.TaskDefLink{Label: fmt.Sprintf("%s:%d", family, revs[0]), Href: taskDefHref(family, revs[0])},
		Right:  view.TaskDefLink{Label: fmt.Sprintf("%s:%d", family, revs[1]), Href: taskDefHref(family, revs[1])},
		All:    all, AllHref: base,
	}
	if !all {
		m.AllHref = base + "&all=1"
	}
	m.Sections = form.TaskDefDiff(docs[0], docs[1])
	for _, sec := range m.Sections {
		m.Changed += sec.Changed
	}
	s.render(w, r, http.StatusOK, view.TaskDefDiff(m))
	return nil
}
