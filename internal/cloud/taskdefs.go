package cloud

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// Task definitions travel as JSON documents, not SDK structs: Berth sends
// the document the person built as the RegisterTaskDefinition body and
// reads DescribeTaskDefinition's answer as AWS wrote it. So every key —
// including ones newer than this SDK — survives a describe, edit, register
// round trip, and nothing of the SDK's types reaches the web layer.

// Errors of the task definition adapter.
var (
	// ErrTaskDefNotFound: no such family or revision.
	ErrTaskDefNotFound = errors.New("task definition not found")
)

// TaskDefRevision is one registered revision: its identity, status and
// dates, and the task definition object exactly as AWS returned it.
type TaskDefRevision struct {
	ARN            string
	Family         string
	Revision       int
	Status         string // ACTIVE, INACTIVE, DELETE_IN_PROGRESS
	RegisteredAt   time.Time
	RegisteredBy   string
	DeregisteredAt time.Time
	// Doc is the taskDefinition object of DescribeTaskDefinition's answer.
	Doc json.RawMessage
	// Tags are the revision's tags (DescribeTaskDefinition include TAGS).
	Tags []TaskDefTag
}

// TaskDefTag is one tag of a task definition.
type TaskDefTag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// TaskDefFamilyPage is one page of ListTaskDefinitionFamilies.
type TaskDefFamilyPage struct {
	Families  []string
	NextToken string
}

// TaskDefRevisionRef names a revision as ListTaskDefinitions does.
type TaskDefRevisionRef struct {
	ARN      string
	Family   string
	Revision int
}

// TaskDefRevisionPage is one page of ListTaskDefinitions.
type TaskDefRevisionPage struct {
	Revisions []TaskDefRevisionRef
	NextToken string
}

// TaskDefDeleteFailure is a revision DeleteTaskDefinitions refused, and why.
type TaskDefDeleteFailure struct {
	ARN, Reason string
}

// Page sizes of the list operations (ECS's maximum is 100).
const taskDefMaxPage = 100

func pageMax(n int) *int32 {
	if n <= 0 || n > taskDefMaxPage {
		n = taskDefMaxPage
	}
	return aws.Int32(int32(n))
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// ListTaskDefFamilies lists one page of families. status is ACTIVE,
// INACTIVE or ALL; prefix filters by the start of the family name.
func (c *Clients) ListTaskDefFamilies(ctx context.Context, status, prefix, token string, max int) (TaskDefFamilyPage, error) {
	if status == "" {
		status = "ACTIVE"
	}
	out, err := c.ECS.ListTaskDefinitionFamilies(ctx, &ecs.ListTaskDefinitionFamiliesInput{
		Status: ecstypes.TaskDefinitionFamilyStatus(status), FamilyPrefix: optString(prefix),
		NextToken: optString(token), MaxResults: pageMax(max),
	})
	if err != nil {
		return TaskDefFamilyPage{}, err
	}
	return TaskDefFamilyPage{Families: out.Families, NextToken: aws.ToString(out.NextToken)}, nil
}

// ListTaskDefRevisions lists one page of a family's revisions with one
// status (ACTIVE, INACTIVE or DELETE_IN_PROGRESS), newest first.
func (c *Clients) ListTaskDefRevisions(ctx context.Context, family, status, token string, max int) (TaskDefRevisionPage, error) {
	if status == "" {
		status = "ACTIVE"
	}
	out, err := c.ECS.ListTaskDefinitions(ctx, &ecs.ListTaskDefinitionsInput{
		FamilyPrefix: aws.String(family), Status: ecstypes.TaskDefinitionStatus(status), Sort: ecstypes.SortOrderDesc,
		NextToken: optString(token), MaxResults: pageMax(max),
	})
	if err != nil {
		return TaskDefRevisionPage{}, err
	}
	page := TaskDefRevisionPage{NextToken: aws.ToString(out.NextToken)}
	for _, arn := range out.TaskDefinitionArns {
		fam, rev := ParseTaskDefARN(arn)
		page.Revisions = append(page.Revisions, TaskDefRevisionRef{ARN: arn, Family: fam, Revision: rev})
	}
	return page, nil
}

// ParseTaskDefARN reads family and revision from a task definition ARN
// (or "family:revision").
func ParseTaskDefARN(arn string) (family string, revision int) {
	s := arn
	if i := strings.LastIndex(s, "task-definition/"); i >= 0 {
		s = s[i+len("task-definition/"):]
	}
	fam, rev, ok := strings.Cut(s, ":")
	if !ok {
		return fam, 0
	}
	n, _ := strconv.Atoi(rev)
	return fam, n
}

// DescribeTaskDef describes a revision ("family" for its latest ACTIVE
// revision, "family:revision", or the ARN), with its tags.
func (c *Clients) DescribeTaskDef(ctx context.Context, id string) (*TaskDefRevision, error) {
	var raw []byte
	_, err := c.ECS.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{
		TaskDefinition: aws.String(id), Include: []ecstypes.TaskDefinitionField{ecstypes.TaskDefinitionFieldTags},
	}, func(o *ecs.Options) { o.APIOptions = append(o.APIOptions, captureBody(&raw)) })
	if err != nil {
		if isTaskDefNotFound(err) {
			return nil, ErrTaskDefNotFound
		}
		return nil, err
	}
	return c.keepTaskDef(raw)
}

// keepTaskDef parses a DescribeTaskDefinition or RegisterTaskDefinition
// answer and keeps the revision in the cache: revisions never change.
func (c *Clients) keepTaskDef(raw []byte) (*TaskDefRevision, error) {
	td, err := parseTaskDefAnswer(raw)
	if err != nil {
		return nil, err
	}
	taskDefCacheFor(c).put(td)
	return td, nil
}

// isTaskDefNotFound recognises ECS's answer for an unknown task definition,
// which is a ClientException like any other.
func isTaskDefNotFound(err error) bool {
	return ErrorCode(err) == "ClientException" && strings.Contains(ErrorMessage(err), "Unable to describe task definition")
}

// RegisterTaskDef registers doc, a RegisterTaskDefinition request as JSON,
// exactly as given.
func (c *Clients) RegisterTaskDef(ctx context.Context, doc []byte) (*TaskDefRevision, error) {
	var probe struct {
		Family string `json:"family"`
	}
	if err := json.Unmarshal(doc, &probe); err != nil {
		return nil, fmt.Errorf("task definition JSON: %w", err)
	}
	var raw []byte
	// The typed input only satisfies the SDK's own required-field check;
	// the body sent is doc.
	_, err := c.ECS.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{
		Family: aws.String(probe.Family), ContainerDefinitions: []ecstypes.ContainerDefinition{},
	}, func(o *ecs.Options) {
		o.APIOptions = append(o.APIOptions, replaceBody(doc), captureBody(&raw))
	})
	if err != nil {
		return nil, err
	}
	return c.keepTaskDef(raw)
}

// DeregisterTaskDef marks a revision INACTIVE.
func (c *Clients) DeregisterTaskDef(ctx context.Context, id string) error {
	_, err := c.ECS.DeregisterTaskDefinition(ctx, &ecs.DeregisterTaskDefinitionInput{TaskDefinition: aws.String(id)})
	if isTaskDefNotFound(err) {
		return ErrTaskDefNotFound
	}
	if err == nil {
		taskDefCacheFor(c).drop(id)
	}
	return err
}

// TaskDefMaxDelete is how many revisions DeleteTaskDefinitions takes at once.
const TaskDefMaxDelete = 10

// DeleteTaskDefs asks ECS to delete INACTIVE revisions (at most
// TaskDefMaxDelete). Accepted ones move to DELETE_IN_PROGRESS; ECS removes
// them once no task or service uses them.
func (c *Clients) DeleteTaskDefs(ctx context.Context, ids []string) (deleted []string, failures []TaskDefDeleteFailure, err error) {
	out, err := c.ECS.DeleteTaskDefinitions(ctx, &ecs.DeleteTaskDefinitionsInput{TaskDefinitions: ids})
	if err != nil {
		return nil, nil, err
	}
	cache := taskDefCacheFor(c)
	for _, td := range out.TaskDefinitions {
		deleted = append(deleted, aws.ToString(td.TaskDefinitionArn))
		cache.drop(aws.ToString(td.TaskDefinitionArn))
	}
	for _, f := range out.Failures {
		failures = append(failures, TaskDefDeleteFailure{ARN: aws.ToString(f.Arn), Reason: aws.ToString(f.Reason)})
	}
	return deleted, failures, nil
}

// TaskDefSummaries describes revisions for a list page. What a revision
// was registered with never changes, so answers are cached for the life of
// the process; only revisions not seen before cost a call (at most 8 at a
// time). Status is as of the first describe: callers that list by status
// know it already.
func (c *Clients) TaskDefSummaries(ctx context.Context, arns []string) ([]*TaskDefRevision, error) {
	cache := taskDefCacheFor(c)
	out := make([]*TaskDefRevision, len(arns))
	var (
		wg    sync.WaitGroup
		sem   = make(chan struct{}, 8)
		mu    sync.Mutex
		first error
	)
	for i, arn := range arns {
		if td := cache.get(arn); td != nil {
			out[i] = td
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			td, err := c.DescribeTaskDef(ctx, arn)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if first == nil {
					first = err
				}
				return
			}
			out[i] = td
		}()
	}
	wg.Wait()
	return out, first
}

// parseTaskDefAnswer reads {"taskDefinition": {…}, "tags": […]}.
func parseTaskDefAnswer(raw []byte) (*TaskDefRevision, error) {
	var ans struct {
		TaskDefinition json.RawMessage `json:"taskDefinition"`
		Tags           []TaskDefTag    `json:"tags"`
	}
	if err := json.Unmarshal(raw, &ans); err != nil || len(ans.TaskDefinition) == 0 {
		return nil, fmt.Errorf("unexpected task definition answer from ECS: %.200s", raw)
	}
	var head struct {
		ARN            string      `json:"taskDefinitionArn"`
		Family         string      `json:"family"`
		Revision       int         `json:"revision"`
		Status         string      `json:"status"`
		RegisteredAt   json.Number `json:"registeredAt"`
		RegisteredBy   string      `json:"registeredBy"`
		DeregisteredAt json.Number `json:"deregisteredAt"`
	}
	if err := json.Unmarshal(ans.TaskDefinition, &head); err != nil {
		return nil, fmt.Errorf("unexpected task definition from ECS: %w", err)
	}
	return &TaskDefRevision{
		ARN: head.ARN, Family: head.Family, Revision: head.Revision, Status: head.Status,
		RegisteredAt: epoch(head.RegisteredAt), RegisteredBy: head.RegisteredBy, DeregisteredAt: epoch(head.DeregisteredAt),
		Doc: ans.TaskDefinition, Tags: ans.Tags,
	}, nil
}

// epoch reads the JSON protocols' timestamps: seconds since 1970 with a fraction.
func epoch(n json.Number) time.Time {
	f, err := n.Float64()
	if err != nil || f <= 0 {
		return time.Time{}
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(math.Round(frac*1e3))*1e6).UTC()
}

// captureBody keeps a copy of the raw response body of a successful call.
// It sits next to the transport, inside the operation's deserializer.
func captureBody(dst *[]byte) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		return stack.Deserialize.Add(middleware.DeserializeMiddlewareFunc("BerthCaptureBody",
			func(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
				out, md, err := next.HandleDeserialize(ctx, in)
				if err != nil {
					return out, md, err
				}
				resp, ok := out.RawResponse.(*smithyhttp.Response)
				if !ok || resp.Body == nil || resp.StatusCode >= 300 {
					return out, md, err
				}
				b, rerr := io.ReadAll(resp.Body)
				resp.Body.Close()
				if rerr != nil {
					return out, md, rerr
				}
				*dst = b
				resp.Body = io.NopCloser(bytes.NewReader(b))
				return out, md, nil
			}), middleware.After)
	}
}

// replaceBody sends body instead of what the SDK serialized from the typed
// input. It runs right after the serializer, before the content length is
// computed and the request is signed.
func replaceBody(body []byte) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		return stack.Serialize.Add(middleware.SerializeMiddlewareFunc("BerthRawBody",
			func(ctx context.Context, in middleware.SerializeInput, next middleware.SerializeHandler) (middleware.SerializeOutput, middleware.Metadata, error) {
				req, ok := in.Request.(*smithyhttp.Request)
				if !ok {
					return middleware.SerializeOutput{}, middleware.Metadata{}, fmt.Errorf("unexpected request type %T", in.Request)
				}
				r2, err := req.SetStream(bytes.NewReader(body))
				if err != nil {
					return middleware.SerializeOutput{}, middleware.Metadata{}, err
				}
				r2.ContentLength = int64(len(body))
				in.Request = r2
				return next.HandleSerialize(ctx, in)
			}), middleware.After)
	}
}

// taskDefCache remembers described revisions by ARN. Bounded: when full it
// forgets everything, which only costs describes again.
type taskDefCache struct {
	mu sync.Mutex
	m  map[string]*TaskDefRevision
}

const taskDefCacheMax = 20000

var taskDefCaches sync.Map // *Clients -> *taskDefCache

func taskDefCacheFor(c *Clients) *taskDefCache {
	v, _ := taskDefCaches.LoadOrStore(c, &taskDefCache{m: map[string]*TaskDefRevision{}})
	return v.(*taskDefCache)
}

func (tc *taskDefCache) get(arn string) *TaskDefRevision {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	return tc.m[arn]
}

func (tc *taskDefCache) put(td *TaskDefRevision) {
	if td == nil || td.ARN == "" {
		return
	}
	tc.mu.Lock()
	defer tc.mu.Unlock()
	if len(tc.m) >= taskDefCacheMax {
		tc.m = map[string]*TaskDefRevision{}
	}
	tc.m[td.ARN] = td
}

// drop forgets a revision by ARN, or by family:revision.
func (tc *taskDefCache) drop(id string) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	if _, ok := tc.m[id]; ok {
		delete(tc.m, id)
		return
	}
	fam, rev := ParseTaskDefARN(id)
	for arn := range tc.m {
		if f, r := ParseTaskDefARN(arn); f == fam && r == rev {
			delete(tc.m, arn)
		}
	}
}

// --- where used ---

// TaskDefUse is the latest ACTIVE revision of a family that uses a
// repository's images or a secret, and which of its containers do.
type TaskDefUse struct {
	Family     string
	Revision   int
	ARN        string
	Containers []string
}

// taskDefUsesMaxFamilies bounds a where-used search: one describe per
// active family, so an account with more families is searched partly and
// the answer says so.
const taskDefUsesMaxFamilies = 300

// TaskDefsUsingRepository lists the latest ACTIVE revisions whose images
// come from the repository with this URI
// ("123456789012.dkr.ecr.us-east-1.amazonaws.com/scc"). complete is false
// when the account has more active families than one search covers.
func (c *Clients) TaskDefsUsingRepository(ctx context.Context, repositoryURI string) (uses []TaskDefUse, complete bool, err error) {
	return c.taskDefsUsing(ctx, func(ct usedContainer) bool {
		img := ct.Image
		return img == repositoryURI || strings.HasPrefix(img, repositoryURI+":") || strings.HasPrefix(img, repositoryURI+"@")
	})
}

// TaskDefsUsingSecret lists the latest ACTIVE revisions that reference the
// secret with this ARN, as a container secret (whole secret or one JSON
// key), as a log configuration secret option, or as private registry
// credentials. complete is as for TaskDefsUsingRepository.
//
// ECS takes the full ARN, or the ARN without Secrets Manager's six-character
// suffix, everywhere. Private registry credentials may also name the secret
// when it is in the task's region (RepositoryCredentials in the ECS API
// reference). A container secret's valueFrom that is not an ARN names a
// Systems Manager parameter, not a secret, so a bare name there is not a use.
func (c *Clients) TaskDefsUsingSecret(ctx context.Context, secretARN string) (uses []TaskDefUse, complete bool, err error) {
	partial := ""
	if i := strings.LastIndexByte(secretARN, '-'); i > 0 && len(secretARN)-i == 7 {
		partial = secretARN[:i]
	}
	name := ""
	if n, ok := SecretNameFromARN(secretARN); ok && secretARNRegion(secretARN) == c.Region {
		name = n
	}
	refers := func(ref string) bool {
		for _, a := range []string{secretARN, partial} {
			if a != "" && (ref == a || strings.HasPrefix(ref, a+":")) {
				return true
			}
		}
		return false
	}
	return c.taskDefsUsing(ctx, func(ct usedContainer) bool {
		if rc := ct.RepositoryCredentials; rc != nil && (refers(rc.CredentialsParameter) || (name != "" && rc.CredentialsParameter == name)) {
			return true
		}
		for _, s := range ct.Secrets {
			if refers(s.ValueFrom) {
				return true
			}
		}
		if lc := ct.LogConfiguration; lc != nil {
			for _, s := range lc.SecretOptions {
				if refers(s.ValueFrom) {
					return true
				}
			}
		}
		return false
	})
}

// secretARNRegion is the region field of a Secrets Manager ARN.
func secretARNRegion(arn string) string {
	parts := strings.SplitN(arn, ":", 5)
	if len(parts) < 5 {
		return ""
	}
	return parts[3]
}

type usedContainer struct {
	Name                  string `json:"name"`
	Image                 string `json:"image"`
	RepositoryCredentials *struct {
		CredentialsParameter string `json:"credentialsParameter"`
	} `json:"repositoryCredentials"`
	Secrets          []usedSecret `json:"secrets"`
	LogConfiguration *struct {
		SecretOptions []usedSecret `json:"secretOptions"`
	} `json:"logConfiguration"`
}

type usedSecret struct {
	ValueFrom string `json:"valueFrom"`
}

func (c *Clients) taskDefsUsing(ctx context.Context, match func(usedContainer) bool) ([]TaskDefUse, bool, error) {
	var families []string
	token := ""
	complete := true
	for {
		page, err := c.ListTaskDefFamilies(ctx, "ACTIVE", "", token, taskDefMaxPage)
		if err != nil {
			return nil, false, err
		}
		families = append(families, page.Families...)
		token = page.NextToken
		if token == "" {
			break
		}
		if len(families) >= taskDefUsesMaxFamilies {
			complete = false
			break
		}
	}
	if len(families) > taskDefUsesMaxFamilies {
		families, complete = families[:taskDefUsesMaxFamilies], false
	}
	found := make([]*TaskDefUse, len(families))
	var (
		wg    sync.WaitGroup
		sem   = make(chan struct{}, 8)
		mu    sync.Mutex
		first error
	)
	for i, fam := range families {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			td, err := c.DescribeTaskDef(ctx, fam)
			if err != nil {
				if errors.Is(err, ErrTaskDefNotFound) {
					return // deregistered meanwhile
				}
				mu.Lock()
				if first == nil {
					first = err
				}
				mu.Unlock()
				return
			}
			var doc struct {
				ContainerDefinitions []usedContainer `json:"containerDefinitions"`
			}
			_ = json.Unmarshal(td.Doc, &doc)
			use := TaskDefUse{Family: td.Family, Revision: td.Revision, ARN: td.ARN}
			for _, ct := range doc.ContainerDefinitions {
				if match(ct) {
					use.Containers = append(use.Containers, ct.Name)
				}
			}
			if len(use.Containers) > 0 {
				found[i] = &use
			}
		}()
	}
	wg.Wait()
	if first != nil {
		return nil, false, first
	}
	var uses []TaskDefUse
	for _, u := range found {
		if u != nil {
			uses = append(uses, *u)
		}
	}
	return uses, complete, nil
}
