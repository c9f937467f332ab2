package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/berthhq/berth/internal/awsrules"
	"github.com/berthhq/berth/internal/cloud"
	"github.com/berthhq/berth/web/form"
	"github.com/berthhq/berth/web/view"
)

// loadRepository describes a repository, turning "not found" into a 404
// and any other failure into an explained 502.
func (s *Server) loadRepository(r *http.Request, name string) (cloud.Repository, error) {
	repo, err := s.ecr(r).Repository(r.Context(), name)
	if errors.Is(err, cloud.ErrRepositoryNotFound) {
		return repo, notFound("There is no repository named " + name + " in " + s.region(r) + ".")
	}
	if err != nil {
		return repo, awsFailure("Berth could not read the repository "+name, err)
	}
	return repo, nil
}

func summary(repo cloud.Repository) view.RepositorySummary {
	return view.RepositorySummary{
		Name: repo.Name, Href: view.RepositoryHref(repo.Name), URI: repo.URI, ARN: repo.ARN,
		CreatedAt: formatTime(repo.CreatedAt), Mutability: repo.TagMutability, ExclusionFilters: repo.ExclusionFilters,
		ScanOnPush: repo.ScanOnPush, Encryption: repo.EncryptionType, KMSKey: repo.KMSKey,
	}
}

func repoCrumbs(name string, last ...string) []view.Crumb {
	c := []view.Crumb{{Label: "Repositories", Href: "/repositories"}, {Label: name, Href: view.RepositoryHref(name)}}
	for _, l := range last {
		c = append(c, view.Crumb{Label: l})
	}
	return c
}

// ---- detail ----

var imageFilters = []struct{ value, label, api string }{
	{"", "All images", cloud.ImagesAll},
	{"tagged", "Tagged", cloud.ImagesTagged},
	{"untagged", "Untagged", cloud.ImagesUntagged},
}

func (s *Server) repositoryDetail(w http.ResponseWriter, r *http.Request, name string) error {
	repo, err := s.loadRepository(r, name)
	if err != nil {
		return err
	}
	api := s.ecr(r)
	ctx := r.Context()
	q := r.URL.Query()
	m := view.RepositoryDetailPage{
		Page: s.page(w, r, repo.Name, view.SectionRepositories, repoCrumbs(repo.Name)...),
		Repo: summary(repo),
		Push: s.pushCommands(repo),
	}
	filter := cloud.ImagesAll
	for _, f := range imageFilters {
		if q.Get("images") == f.value {
			m.ImagesFilter, filter = f.value, f.api
		}
	}
	base := view.RepositoryHref(repo.Name)
	for _, f := range imageFilters {
		href := base + "#images"
		if f.value != "" {
			href = base + "?images=" + f.value + "#images"
		}
		m.ImagesFilters = append(m.ImagesFilters, view.FilterLink{Label: f.label, Href: href, Current: f.value == m.ImagesFilter})
	}
	trail := q["iafter"]
	token := ""
	if len(trail) > 0 {
		token = trail[len(trail)-1]
	}

	// The four reads are independent: one round trip of wall time.
	var (
		wg        sync.WaitGroup
		tags      []cloud.Tag
		images    cloud.ImagePage
		tagErr    error
		imagesErr error
		policyErr error
		lifeErr   error
	)
	wg.Go(func() { tags, tagErr = api.RepositoryTags(ctx, repo.ARN) })
	wg.Go(func() { images, imagesErr = api.Images(ctx, repo.Name, filter, token, imageRows) })
	wg.Go(func() { m.Policy, policyErr = api.RepositoryPolicy(ctx, repo.Name) })
	wg.Go(func() { m.Lifecycle, lifeErr = api.LifecyclePolicy(ctx, repo.Name) })
	wg.Wait()

	if tagErr != nil {
		m.TagsProblem = problemText(tagErr)
	}
	for _, t := range tags {
		m.Tags = append(m.Tags, form.KeyValue{Key: t.Key, Value: t.Value})
	}
	if policyErr != nil {
		m.PolicyProblem = problemText(policyErr)
	}
	if lifeErr != nil {
		m.LifecycleProblem = problemText(lifeErr)
	}
	if imagesErr != nil {
		m.ImagesProblem = problemText(imagesErr)
	}
	// AWS does not promise an order; newest first within the page reads best.
	sort.SliceStable(images.Images, func(i, j int) bool { return images.Images[i].PushedAt.After(images.Images[j].PushedAt) })
	for _, img := range images.Images {
		row := view.ImageRow{
			Digest: img.Digest, ShortDigest: shortDigest(img.Digest), Size: humanSize(img.SizeBytes),
			PushedAt: formatTime(img.PushedAt), LastPull: formatTime(img.LastPull),
			ScanStatus: img.ScanStatus, MediaType: img.ManifestMediaType,
			PullURI:    repo.URI + "@" + img.Digest,
			DeleteHref: imageDeleteHref(repo.Name, img.Digest, ""),
		}
		tagsSorted := append([]string(nil), img.Tags...)
		sort.Strings(tagsSorted)
		for _, t := range tagsSorted {
			row.Tags = append(row.Tags, view.ImageTag{Tag: t, DeleteHref: imageDeleteHref(repo.Name, img.Digest, t)})
		}
		m.Images = append(m.Images, row)
	}
	pageURL := func(trail []string) string {
		v := url.Values{}
		if m.ImagesFilter != "" {
			v.Set("images", m.ImagesFilter)
		}
		for _, t := range trail {
			v.Add("iafter", t)
		}
		if len(v) == 0 {
			return base + "#images"
		}
		return base + "?" + v.Encode() + "#images"
	}
	if len(trail) > 0 {
		m.ImagesPrev = pageURL(trail[:len(trail)-1])
	}
	if images.NextToken != "" {
		m.ImagesNext = pageURL(append(trail[:len(trail):len(trail)], images.NextToken))
	}
	m.UsedBy = s.usage(r, func(ctx context.Context) ([]cloud.TaskDefUse, bool, error) {
		return s.clients(r).TaskDefsUsingRepository(ctx, repo.URI)
	})
	m.History = s.history(r, repo.ARN)
	s.render(w, r, http.StatusOK, view.RepositoryDetail(m))
	return nil
}

func imageDeleteHref(repo, digest, tag string) string {
	v := url.Values{"digest": {digest}}
	if tag != "" {
		v.Set("tag", tag)
	}
	return view.RepositoryAction(repo, "images/delete") + "?" + v.Encode()
}

func shortDigest(d string) string {
	algo, hex, ok := strings.Cut(d, ":")
	if !ok || len(hex) <= 12 {
		return d
	}
	return algo + ":" + hex[:12]
}

// humanSize shows bytes the way the ECR console does, in decimal units.
func humanSize(n int64) string {
	const unit = 1000
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	f := float64(n)
	for _, u := range []string{"KB", "MB", "GB", "TB"} {
		f /= unit
		if f < unit || u == "TB" {
			return fmt.Sprintf("%.2f %s", f, u)
		}
	}
	return ""
}

// pushCommands fills the console's push commands with the repository's
// values. In local mode they log in to and push to the emulator's registry,
// which serves the ECR repositories at <emulator host>/<name>.
func (s *Server) pushCommands(repo cloud.Repository) view.PushCommands {
	region := regionOfURI(repo.URI)
	endpoint := ""
	registry, target := repo.Registry(), repo.URI
	p := view.PushCommands{Local: s.backend.Local()}
	if p.Local {
		p.Endpoint = s.backend.Endpoint()
		endpoint = " --endpoint-url " + p.Endpoint
		registry = strings.TrimPrefix(strings.TrimPrefix(p.Endpoint, "http://"), "https://")
		target = registry + "/" + repo.Name
		p.Registry = registry
	}
	local := repo.Name
	if i := strings.LastIndexByte(local, '/'); i >= 0 {
		local = local[i+1:]
	}
	login := "aws ecr get-login-password --region " + region + endpoint
	p.Commands = []view.PushCommand{
		{Step: "Retrieve an authentication token and authenticate your Docker client to your registry:",
			Command: login + " | docker login --username AWS --password-stdin " + registry},
		{Step: "Build your Docker image (skip this step if your image is already built):",
			Command: "docker build -t " + local + " ."},
		{Step: "After the build completes, tag your image so you can push it to this repository:",
			Command: "docker tag " + local + ":latest " + target + ":latest"},
		{Step: "Push this image to your AWS repository:",
			Command: "docker push " + target + ":latest"},
	}
	if p.Local {
		p.Crane = []string{
			login + " | crane auth login " + registry + " --username AWS --password-stdin",
			"crane push " + local + ".tar " + target + ":latest",
		}
	}
	return p
}

// regionOfURI reads the region from <account>.dkr.ecr.<region>.amazonaws.com/<name>.
func regionOfURI(uri string) string {
	host, _, _ := strings.Cut(uri, "/")
	parts := strings.Split(host, ".")
	if len(parts) >= 4 && parts[1] == "dkr" && parts[2] == "ecr" {
		return parts[3]
	}
	return ""
}

// ---- edit ----

func (s *Server) editRepository(w http.ResponseWriter, r *http.Request, name string) error {
	repo, err := s.loadRepository(r, name)
	if err != nil {
		return err
	}
	f := form.RepositorySettings{TagMutability: repo.TagMutability, ExclusionFilters: repo.ExclusionFilters, ScanOnPush: repo.ScanOnPush}
	s.renderEdit(w, r, http.StatusOK, repo, f, form.Errors{}, len(f.ExclusionFilters))
	return nil
}

func (s *Server) renderEdit(w http.ResponseWriter, r *http.Request, status int, repo cloud.Repository, f form.RepositorySettings, errs form.Errors, rows int) {
	m := view.RepositoryEditPage{
		Page: s.page(w, r, "Edit "+repo.Name, view.SectionRepositories, repoCrumbs(repo.Name, "Edit")...),
		Repo: summary(repo), Form: f, Errors: errs,
		FilterRows: min(awsrules.ExclusionFiltersMax, max(rows, len(f.ExclusionFilters), 1)),
	}
	s.render(w, r, status, view.RepositoryEdit(m))
}

func (s *Server) updateRepository(w http.ResponseWriter, r *http.Request, name string) error {
	repo, err := s.loadRepository(r, name)
	if err != nil {
		return err
	}
	f := form.DecodeRepositorySettings(r.PostForm)
	if fr, _, added := addedRows(r); added {
		s.renderEdit(w, r, http.StatusOK, repo, f, form.Errors{}, fr)
		return nil
	}
	if errs := f.Validate(); errs.Any() {
		s.renderEdit(w, r, http.StatusUnprocessableEntity, repo, f, errs, 0)
		return nil
	}
	filters := f.ExclusionFilters
	if !awsrules.MutabilityNeedsExclusions(f.TagMutability) {
		filters = nil
	}
	after := repoSettingsOf(repo)
	after.TagMutability, after.ExclusionFilters, after.ScanOnPush = f.TagMutability, filters, f.ScanOnPush
	err = s.ecr(r).UpdateRepositorySettings(r.Context(), repo, f.TagMutability, filters, f.ScanOnPush)
	s.audit(r, Entry{Action: "repository.update", Resource: repo.ARN, Err: err, Before: repoSettingsOf(repo), After: after})
	if err != nil {
		var errs form.Errors
		msg := "AWS refused the change: " + problemText(err)
		if cloud.ErrorCode(err) == "" {
			msg = "Berth could not reach AWS to save the settings: " + problemText(err)
		}
		errs.Add(paramField(cloud.ECRErrorParameter(err), ""), msg)
		s.renderEdit(w, r, http.StatusUnprocessableEntity, repo, f, errs, 0)
		return nil
	}
	s.redirectWithFlash(w, r, view.RepositoryHref(name), "Settings of "+name+" saved.")
	return nil
}

// ---- delete repository ----

func (s *Server) hasImages(r *http.Request, name string) (bool, error) {
	p, err := s.ecr(r).Images(r.Context(), name, cloud.ImagesAll, "", 1)
	return len(p.Images) > 0, err
}

func (s *Server) deleteRepositoryForm(w http.ResponseWriter, r *http.Request, name string) error {
	repo, err := s.loadRepository(r, name)
	if err != nil {
		return err
	}
	has, err := s.hasImages(r, name)
	if err != nil {
		return awsFailure("Berth could not list the images of "+name, err)
	}
	s.renderDelete(w, r, http.StatusOK, repo, has, form.DeleteRepository{}, form.Errors{})
	return nil
}

func (s *Server) renderDelete(w http.ResponseWriter, r *http.Request, status int, repo cloud.Repository, has bool, f form.DeleteRepository, errs form.Errors) {
	m := view.RepositoryDeletePage{
		Page: s.page(w, r, "Delete "+repo.Name, view.SectionRepositories, repoCrumbs(repo.Name, "Delete")...),
		Repo: summary(repo), HasImages: has, Form: f, Errors: errs,
	}
	s.render(w, r, status, view.RepositoryDelete(m))
}

func (s *Server) deleteRepository(w http.ResponseWriter, r *http.Request, name string) error {
	repo, err := s.loadRepository(r, name)
	if err != nil {
		return err
	}
	has, err := s.hasImages(r, name)
	if err != nil {
		return awsFailure("Berth could not list the images of "+name, err)
	}
	f := form.DecodeDeleteRepository(r.PostForm)
	if errs := f.Validate(name, has); errs.Any() {
		s.renderDelete(w, r, http.StatusUnprocessableEntity, repo, has, f, errs)
		return nil
	}
	err = s.ecr(r).DeleteRepository(r.Context(), name, f.Force)
	detail := ""
	if f.Force {
		detail = "with its images"
	}
	s.audit(r, Entry{Action: "repository.delete", Resource: repo.ARN, Err: err, Detail: detail, Before: repoSettingsOf(repo)})
	switch {
	case err == nil:
		s.redirectWithFlash(w, r, "/repositories", "Repository "+name+" deleted.")
	case errors.Is(err, cloud.ErrRepositoryNotEmpty):
		var errs form.Errors
		errs.Add(form.DeleteForce, "ECR refused: the repository still contains images (RepositoryNotEmptyException). "+
			"Images may have been pushed since this page was loaded. Choose \"Delete the images too\" to delete them with the repository.")
		s.renderDelete(w, r, http.StatusUnprocessableEntity, repo, true, f, errs)
	case errors.Is(err, cloud.ErrRepositoryNotFound):
		s.redirectWithFlash(w, r, "/repositories", "Repository "+name+" was already deleted.")
	default:
		var errs form.Errors
		errs.Add("", "AWS refused to delete the repository: "+problemText(err))
		s.renderDelete(w, r, http.StatusUnprocessableEntity, repo, has, f, errs)
	}
	return nil
}

// ---- delete image or tag ----

var digestRE = regexp.MustCompile(`^[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+$`)

// imageTarget reads which image (and which tag of it) the person wants to
// delete, and what tags it has now.
func (s *Server) imageTarget(r *http.Request, repo cloud.Repository, digest, tag string) (view.ImageDeletePage, error) {
	if !digestRE.MatchString(digest) || len(tag) > 300 {
		return view.ImageDeletePage{}, badRequest("That is not an image digest or tag.")
	}
	img, err := s.ecr(r).Image(r.Context(), repo.Name, digest)
	if errors.Is(err, cloud.ErrImageNotFound) {
		return view.ImageDeletePage{}, notFound("The image " + digest + " is not in " + repo.Name + " (any more).")
	}
	if err != nil {
		return view.ImageDeletePage{}, awsFailure("Berth could not read the image", err)
	}
	m := view.ImageDeletePage{Repo: summary(repo), Digest: digest, Tag: tag}
	m.Tags = append([]string(nil), img.Tags...)
	sort.Strings(m.Tags)
	if tag != "" {
		found := false
		for _, t := range m.Tags {
			if t == tag {
				found = true
			} else {
				m.Others = append(m.Others, t)
			}
		}
		if !found {
			return view.ImageDeletePage{}, notFound("The image " + shortDigest(digest) + " has no tag " + tag + ".")
		}
	}
	return m, nil
}

func (s *Server) deleteImageForm(w http.ResponseWriter, r *http.Request, name string) error {
	repo, err := s.loadRepository(r, name)
	if err != nil {
		return err
	}
	m, err := s.imageTarget(r, repo, r.URL.Query().Get("digest"), r.URL.Query().Get("tag"))
	if err != nil {
		return err
	}
	title := "Delete image"
	if m.Tag != "" {
		title = "Delete tag " + m.Tag
	}
	m.Page = s.page(w, r, title, view.SectionRepositories, repoCrumbs(name, title)...)
	s.render(w, r, http.StatusOK, view.ImageDelete(m))
	return nil
}

func (s *Server) deleteImage(w http.ResponseWriter, r *http.Request, name string) error {
	repo, err := s.loadRepository(r, name)
	if err != nil {
		return err
	}
	digest, tag := r.PostForm.Get("digest"), r.PostForm.Get("tag")
	m, err := s.imageTarget(r, repo, digest, tag)
	if err != nil {
		return err
	}
	err = s.ecr(r).DeleteImage(r.Context(), name, digest, tag)
	detail := "image " + digest
	if tag != "" {
		detail = "tag " + tag + " of " + detail
	} else if len(m.Tags) > 0 {
		detail += " with its tags " + strings.Join(m.Tags, ", ")
	}
	s.audit(r, Entry{Action: "image.delete", Resource: repo.ARN, Err: err, Detail: detail})
	if err != nil {
		m.Problem = "AWS refused to delete it: " + problemText(err)
		m.Page = s.page(w, r, "Delete image", view.SectionRepositories, repoCrumbs(name, "Delete image")...)
		s.render(w, r, http.StatusUnprocessableEntity, view.ImageDelete(m))
		return nil
	}
	msg := "Tag " + tag + " deleted from " + name + "."
	if tag == "" {
		msg = "Image " + shortDigest(digest) + " deleted from " + name
		if len(m.Tags) > 0 {
			msg += " with its tags " + strings.Join(m.Tags, ", ")
		}
		msg += "."
	}
	s.redirectWithFlash(w, r, view.RepositoryHref(name)+"#images", msg)
	return nil
}

// ---- repository policy and lifecycle policy ----

// policyKind is what differs between the two JSON policy editors.
type policyKind struct {
	action, heading, about, example string
	problems                        func(string) []string
	get                             func(api repositoryAPI, r *http.Request, repo string) (string, error)
	put                             func(api repositoryAPI, r *http.Request, repo, text string) error
	del                             func(api repositoryAPI, r *http.Request, repo string) error
	notFound                        error
}

var repositoryPolicyKind = policyKind{
	action: "policy", heading: "Permissions",
	about: "The repository policy says which principals (other accounts, roles, services) may pull or push images. " +
		"IAM policies of this account's identities apply as well.",
	example: `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "AllowPullFromAnotherAccount",
      "Effect": "Allow",
      "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
      "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]
    }
  ]
}`,
	problems: form.RepositoryPolicyProblems,
	get: func(api repositoryAPI, r *http.Request, repo string) (string, error) {
		return api.RepositoryPolicy(r.Context(), repo)
	},
	put: func(api repositoryAPI, r *http.Request, repo, text string) error {
		return api.SetRepositoryPolicy(r.Context(), repo, text)
	},
	del: func(api repositoryAPI, r *http.Request, repo string) error {
		return api.DeleteRepositoryPolicy(r.Context(), repo)
	},
	notFound: cloud.ErrRepositoryPolicyNotFound,
}

var lifecyclePolicyKind = policyKind{
	action: "lifecycle", heading: "Lifecycle policy",
	about: "Lifecycle rules expire images automatically: by count (keep the newest N) or by age since push.",
	example: `{
  "rules": [
    {
      "rulePriority": 1,
      "description": "Expire untagged images older than 14 days",
      "selection": {
        "tagStatus": "untagged",
        "countType": "sinceImagePushed",
        "countUnit": "days",
        "countNumber": 14
      },
      "action": {"type": "expire"}
    }
  ]
}`,
	problems: form.LifecyclePolicyProblems,
	get: func(api repositoryAPI, r *http.Request, repo string) (string, error) {
		return api.LifecyclePolicy(r.Context(), repo)
	},
	put: func(api repositoryAPI, r *http.Request, repo, text string) error {
		return api.PutLifecyclePolicy(r.Context(), repo, text)
	},
	del: func(api repositoryAPI, r *http.Request, repo string) error {
		return api.DeleteLifecyclePolicy(r.Context(), repo)
	},
	notFound: cloud.ErrLifecyclePolicyNotFound,
}

func (s *Server) renderPolicy(w http.ResponseWriter, r *http.Request, status int, repo cloud.Repository, k policyKind, text string, exists bool, errs form.Errors) {
	m := view.RepositoryPolicyPage{
		Page: s.page(w, r, k.heading+" of "+repo.Name, view.SectionRepositories, repoCrumbs(repo.Name, k.heading)...),
		Repo: summary(repo), Heading: k.heading, About: k.about, Action: view.RepositoryAction(repo.Name, k.action), DeleteAction: view.RepositoryAction(repo.Name, k.action+"/delete"),
		Text: text, Errors: errs, Exists: exists, Example: k.example,
	}
	s.render(w, r, status, view.RepositoryPolicy(m))
}

func (s *Server) policyForm(w http.ResponseWriter, r *http.Request, name string, k policyKind) error {
	repo, err := s.loadRepository(r, name)
	if err != nil {
		return err
	}
	text, err := k.get(s.ecr(r), r, name)
	if err != nil {
		return awsFailure("Berth could not read the "+strings.ToLower(k.heading), err)
	}
	s.renderPolicy(w, r, http.StatusOK, repo, k, text, text != "", form.Errors{})
	return nil
}

func (s *Server) savePolicy(w http.ResponseWriter, r *http.Request, name string, k policyKind) error {
	repo, err := s.loadRepository(r, name)
	if err != nil {
		return err
	}
	text := r.PostForm.Get(form.PolicyField)
	current, _ := k.get(s.ecr(r), r, name)
	var errs form.Errors
	if p := k.problems(text); len(p) > 0 {
		errs.AddAll(form.PolicyField, p)
		s.renderPolicy(w, r, http.StatusUnprocessableEntity, repo, k, text, current != "", errs)
		return nil
	}
	err = k.put(s.ecr(r), r, name, text)
	s.audit(r, Entry{Action: "repository." + k.action + ".put", Resource: repo.ARN, Err: err,
		Before: policySettings(current), After: policySettings(text)})
	if err != nil {
		errs.Add(form.PolicyField, "AWS refused the policy: "+problemText(err))
		s.renderPolicy(w, r, http.StatusUnprocessableEntity, repo, k, text, current != "", errs)
		return nil
	}
	s.redirectWithFlash(w, r, view.RepositoryHref(name)+"#"+policyAnchor(k), k.heading+" of "+name+" saved.")
	return nil
}

func (s *Server) deletePolicy(w http.ResponseWriter, r *http.Request, name string, k policyKind) error {
	repo, err := s.loadRepository(r, name)
	if err != nil {
		return err
	}
	before, _ := k.get(s.ecr(r), r, name)
	err = k.del(s.ecr(r), r, name)
	s.audit(r, Entry{Action: "repository." + k.action + ".delete", Resource: repo.ARN, Err: err, Before: policySettings(before)})
	switch {
	case err == nil:
		s.redirectWithFlash(w, r, view.RepositoryHref(name)+"#"+policyAnchor(k), k.heading+" of "+name+" deleted.")
	case errors.Is(err, k.notFound):
		s.redirectWithFlash(w, r, view.RepositoryHref(name)+"#"+policyAnchor(k), name+" had no "+strings.ToLower(k.heading)+" to delete.")
	default:
		current, _ := k.get(s.ecr(r), r, name)
		var errs form.Errors
		errs.Add(form.PolicyField, "AWS refused to delete it: "+problemText(err))
		s.renderPolicy(w, r, http.StatusUnprocessableEntity, repo, k, current, current != "", errs)
	}
	return nil
}

// policySettings is a policy document for the audit trail: parsed, so that
// the trail records which statements or rules changed.
func policySettings(text string) map[string]any {
	if text == "" {
		return nil
	}
	var doc any
	if err := json.Unmarshal([]byte(text), &doc); err != nil {
		return map[string]any{"policy": text}
	}
	return map[string]any{"policy": doc}
}

func policyAnchor(k policyKind) string {
	if k.action == "policy" {
		return "permissions"
	}
	return "lifecycle"
}
