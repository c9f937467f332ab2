package ecs

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/berthhq/berth/internal/awsrules"
	"github.com/berthhq/berth/internal/emulator/awsapi"
	"github.com/berthhq/berth/internal/emulator/state"
)

// tag is a task definition or cluster tag.
type tag = awsrules.ECSTagInput

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func checkTags(tags []tag) error {
	if len(tags) > awsrules.ECSMaxTags {
		return errInvalid(fmt.Sprintf("The number of tags cannot exceed %d.", awsrules.ECSMaxTags))
	}
	for _, t := range tags {
		if ps := awsrules.ECSTagProblems(str(t.Key), str(t.Value)); len(ps) > 0 {
			if strings.HasPrefix(strings.ToLower(str(t.Key)), "aws:") {
				return errInvalid("Tag keys beginning with 'aws:' are reserved for system use.")
			}
			return errInvalid(fmt.Sprintf("Invalid tag: key '%s', value '%s'. %s", str(t.Key), str(t.Value), ps[0]))
		}
	}
	return nil
}

// decodeObject reads JSON into a map, keeping numbers as written.
func decodeObject(b []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	return m, nil
}

func timeJSON(t time.Time) json.RawMessage {
	b, _ := awsapi.Time(t).MarshalJSON()
	return b
}

func (s *service) registerTaskDefinition(c *awsapi.Context, body []byte) (any, error) {
	if len(body) > awsrules.ECSMaxTaskDefinitionBytes {
		return nil, awsapi.Errorf(codeClient, "Actual length: '%d'. Max allowed length is '%d' bytes.", len(body), awsrules.ECSMaxTaskDefinitionBytes)
	}
	in := new(awsrules.ECSTaskDefinitionInput)
	if err := awsapi.Decode(body, in); err != nil {
		return nil, err
	}
	// Decode succeeded, so body is valid JSON; doc keeps its members as
	// sent, which is how fields this emulator does not know round-trip.
	doc, ok := decodeRawObject(body)
	if !ok {
		return nil, awsapi.NewError("SerializationException", "Start of structure or map found where not expected.")
	}
	view := in.Rules()
	if ps := awsrules.TaskDefinitionProblems(view); len(ps) > 0 {
		return nil, awsapi.NewError(ps[0].Code, ps[0].AWSMessage)
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	fillTaskDefinition(doc, in, view)
	family := view.Family
	tagsJSON, _ := json.Marshal(nonNilTags(in.Tags))
	now := time.Now()
	doc["registeredAt"] = timeJSON(now)
	doc["registeredBy"] = jsonString(c.GlobalARN("iam", "root"))

	td, err := s.storeTaskDefinition(c, family, doc, tagsJSON)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(td)+len(tagsJSON)+32)
	out = append(out, `{"taskDefinition":`...)
	out = append(out, td...)
	if len(in.Tags) > 0 {
		out = append(out, `,"tags":`...)
		out = append(out, tagsJSON...)
	}
	out = append(out, '}')
	return awsapi.RawJSON(out), nil
}

// storeTaskDefinition gives doc the family's next revision and its ARN and
// commits it with its tags; it returns the document as stored.
func (s *service) storeTaskDefinition(c *awsapi.Context, family string, doc rawObject, tagsJSON []byte) ([]byte, error) {
	var td []byte
	err := s.db.Write(c, func(tx *state.Tx) error {
		// last_revision only goes up, so a deleted revision's number is
		// never given again.
		key := familyKey(c.Account, c.Region, family)
		rev, err := s.nextRevision(tx, c, family, key)
		if err != nil {
			return err
		}
		tx.OnCommit(func() { s.lastRevision[key] = rev })
		doc["revision"] = json.RawMessage(strconv.Itoa(rev))
		doc["taskDefinitionArn"] = jsonString(tdARN(c, family, rev))
		td = encodeRawObject(doc)
		_, err = tx.Exec(`INSERT INTO ecs_task_definitions (account, region, family, revision, status, doc, tags) VALUES (?, ?, ?, ?, 'ACTIVE', ?, ?)`,
			c.Account, c.Region, family, rev, string(td), string(tagsJSON))
		return err
	})
	return td, err
}

// nextRevision takes the family's next revision number in tx. The number
// comes from lastRevision when it is known; the upsert only moves
// last_revision forward, so a cached number that another process on the
// same data dir has overtaken changes no row, and the number is read again
// from the table.
func (s *service) nextRevision(tx *state.Tx, c *awsapi.Context, family, key string) (int, error) {
	for {
		last, known := s.lastRevision[key]
		if !known {
			err := tx.QueryRow(`SELECT last_revision FROM ecs_task_families WHERE account=? AND region=? AND family=?`,
				c.Account, c.Region, family).Scan(&last)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return 0, err
			}
		}
		rev := last + 1
		res, err := tx.Exec(`INSERT INTO ecs_task_families (account, region, family, last_revision, active) VALUES (?, ?, ?, ?, 1)
			ON CONFLICT (account, region, family) DO UPDATE SET last_revision = excluded.last_revision, active = active + 1
			WHERE ecs_task_families.last_revision < excluded.last_revision`,
			c.Account, c.Region, family, rev)
		if err != nil {
			return 0, err
		}
		if n, err := res.RowsAffected(); err != nil || n == 1 {
			return rev, err
		}
		if !known {
			// Read in this very transaction, so it cannot be stale.
			return 0, fmt.Errorf("ecs: family %s: revision %d was not taken", family, rev)
		}
		delete(s.lastRevision, key)
	}
}

// familyKey names a family in lastRevision.
func familyKey(account, region, family string) string {
	return account + "\x00" + region + "\x00" + family
}

func nonNilTags(t []tag) []tag {
	if t == nil {
		return []tag{}
	}
	return t
}

// rawObject is a JSON object whose members stay as written until the
// emulator needs to look inside one: registering decodes and re-encodes
// only the parts that ECS fills in, not the whole document.
type rawObject map[string]json.RawMessage

// decodeRawObject reads a JSON object; ok is false for anything else.
func decodeRawObject(b []byte) (rawObject, bool) {
	var m rawObject
	if err := json.Unmarshal(b, &m); err != nil || m == nil {
		return nil, false
	}
	return m, true
}

func (m rawObject) stripNulls() {
	for k, v := range m {
		if string(v) == "null" {
			delete(m, k)
		}
	}
}

// setDefault sets k to v unless the object has it.
func (m rawObject) setDefault(k string, v json.RawMessage) {
	if _, ok := m[k]; !ok {
		m[k] = v
	}
}

// encodeRawObject writes the object with its keys sorted, as json.Marshal
// does for a map. Its values are valid JSON already (the request body
// passed json.Unmarshal, or the emulator encoded them), so they are not
// re-validated.
func encodeRawObject(m rawObject) []byte {
	keys := make([]string, 0, len(m))
	n := 2
	for k, v := range m {
		keys = append(keys, k)
		n += len(k) + len(v) + 4
	}
	slices.Sort(keys)
	out := make([]byte, 0, n)
	out = append(out, '{')
	for i, k := range keys {
		if i > 0 {
			out = append(out, ',')
		}
		out = appendJSONString(out, k)
		out = append(out, ':')
		out = append(out, m[k]...)
	}
	return append(out, '}')
}

func encodeRawArray(items []json.RawMessage) json.RawMessage {
	out := []byte{'['}
	for i, v := range items {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, v...)
	}
	return append(out, ']')
}

// appendJSONString quotes s as encoding/json does; plain strings (the
// usual case: keys, ARNs, enum values) are copied without its machinery.
func appendJSONString(out []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x80 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			b, _ := json.Marshal(s)
			return append(out, b...)
		}
	}
	out = append(out, '"')
	out = append(out, s...)
	return append(out, '"')
}

func jsonString(s string) json.RawMessage { return appendJSONString(nil, s) }

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only called with values that always encode
	}
	return b
}

var (
	rawEmptyArray = json.RawMessage("[]")
	rawTrue       = json.RawMessage("true")
	rawZero       = json.RawMessage("0")
)

// fillTaskDefinition turns the request document into the task definition
// ECS returns: defaults filled in, cpu and memory as plain numbers, and the
// derived compatibilities and required attributes.
func fillTaskDefinition(doc rawObject, in *awsrules.ECSTaskDefinitionInput, view awsrules.ECSTaskDefinition) {
	delete(doc, "tags")
	doc.stripNulls()
	mode := awsrules.EffectiveNetworkMode(view)
	doc["networkMode"] = jsonString(mode)
	if in.CPU != nil {
		n, _ := awsrules.ParseTaskCPU(*in.CPU)
		doc["cpu"] = jsonString(strconv.Itoa(n))
	}
	if in.Memory != nil {
		n, _ := awsrules.ParseTaskMemory(*in.Memory)
		doc["memory"] = jsonString(strconv.Itoa(n))
	}
	doc.setDefault("volumes", rawEmptyArray)
	doc.setDefault("placementConstraints", rawEmptyArray)
	doc["status"] = jsonString("ACTIVE")
	var containers []json.RawMessage
	if json.Unmarshal(doc["containerDefinitions"], &containers) == nil && containers != nil {
		for i, raw := range containers {
			if cd, ok := decodeRawObject(raw); ok {
				fillContainer(cd, mode)
				containers[i] = encodeRawObject(cd)
			}
		}
		doc["containerDefinitions"] = encodeRawArray(containers)
	}

	compat := []string{awsrules.CompatibilityEC2}
	switch {
	case awsrules.FargateCompatible(view):
		compat = []string{awsrules.CompatibilityEC2, awsrules.CompatibilityFargate}
	case mode != awsrules.NetworkModeAwsvpc:
		compat = []string{awsrules.CompatibilityExternal, awsrules.CompatibilityEC2}
	}
	doc["compatibilities"] = mustJSON(compat)
	doc["requiresAttributes"] = mustJSON(requiresAttributes(in, mode))
}

// fillContainer adds the defaults ECS reports for a container definition.
func fillContainer(cd rawObject, mode string) {
	cd.stripNulls()
	cd.setDefault("essential", rawTrue)
	cd.setDefault("cpu", rawZero)
	for _, k := range []string{"portMappings", "environment", "mountPoints", "volumesFrom", "systemControls"} {
		cd.setDefault(k, rawEmptyArray)
	}
	var pms []json.RawMessage
	if json.Unmarshal(cd["portMappings"], &pms) == nil && len(pms) > 0 {
		for i, rp := range pms {
			pm, ok := decodeRawObject(rp)
			if !ok {
				continue
			}
			pm.stripNulls()
			pm.setDefault("protocol", jsonString("tcp"))
			if cp, hasCP := pm["containerPort"]; hasCP {
				if mode == awsrules.NetworkModeAwsvpc || mode == awsrules.NetworkModeHost {
					pm.setDefault("hostPort", cp)
				} else {
					pm.setDefault("hostPort", rawZero)
				}
			}
			pms[i] = encodeRawObject(pm)
		}
		cd["portMappings"] = encodeRawArray(pms)
	}
	if hc, ok := decodeRawObject(cd["healthCheck"]); ok {
		hc.stripNulls()
		hc.setDefault("interval", json.RawMessage(strconv.Itoa(awsrules.HealthCheckDefaultInterval)))
		hc.setDefault("timeout", json.RawMessage(strconv.Itoa(awsrules.HealthCheckDefaultTimeout)))
		hc.setDefault("retries", json.RawMessage(strconv.Itoa(awsrules.HealthCheckDefaultRetries)))
		cd["healthCheck"] = encodeRawObject(hc)
	}
}

type attribute struct {
	Name string `json:"name"`
}

// requiresAttributes derives the container instance capabilities a
// definition needs, as ECS lists them in requiresAttributes.
func requiresAttributes(in *awsrules.ECSTaskDefinitionInput, mode string) []attribute {
	var names []string
	seen := map[string]bool{}
	add := func(n string) {
		if !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	const cap = "com.amazonaws.ecs.capability."
	exec := str(in.ExecutionRoleArn) != ""
	for _, c := range in.ContainerDefinitions {
		if lc := c.LogConfiguration; lc != nil && str(lc.LogDriver) != "" {
			add(cap + "logging-driver." + str(lc.LogDriver))
			if str(lc.LogDriver) == "awslogs" && exec {
				add("ecs.capability.execution-role-awslogs")
			}
			add(cap + "docker-remote-api.1.19")
		}
		if awsrules.IsECRImage(str(c.Image)) {
			add(cap + "ecr-auth")
			if exec {
				add("ecs.capability.execution-role-ecr-pull")
			}
		}
		if c.Privileged != nil && *c.Privileged {
			add(cap + "privileged-container")
		}
		if c.HealthCheck != nil {
			add("ecs.capability.container-health-check")
		}
		if len(c.DependsOn) > 0 || c.StartTimeout != nil || c.StopTimeout != nil {
			add("ecs.capability.container-ordering")
		}
		if c.RepositoryCredentials != nil {
			add("ecs.capability.private-registry-authentication.secretsmanager")
		}
		for _, sec := range c.Secrets {
			if strings.Contains(str(sec.ValueFrom), ":secretsmanager:") {
				add("ecs.capability.secrets.asm.environment-variables")
			} else {
				add("ecs.capability.secrets.ssm.environment-variables")
			}
		}
		if len(c.EnvironmentFiles) > 0 {
			add("ecs.capability.env-files.s3")
		}
	}
	if str(in.TaskRoleArn) != "" {
		add(cap + "task-iam-role")
	}
	for _, v := range in.Volumes {
		if v.EfsVolumeConfiguration != nil {
			add("ecs.capability.efs")
		}
	}
	if in.EphemeralStorage != nil {
		add("ecs.capability.extensible-ephemeral-storage")
	}
	if mode == awsrules.NetworkModeAwsvpc {
		add(cap + "docker-remote-api.1.18")
		add("ecs.capability.task-eni")
	}
	out := make([]attribute, len(names))
	for i, n := range names {
		out[i] = attribute{Name: n}
	}
	return out
}

type describeIn struct {
	TaskDefinition *string  `json:"taskDefinition"`
	Include        []string `json:"include"`
}

type describeOut struct {
	TaskDefinition json.RawMessage `json:"taskDefinition"`
	Tags           []tag           `json:"tags,omitempty"`
}

// loadTD finds a task definition: a family alone means its latest ACTIVE
// revision.
func (s *service) loadTD(c *awsapi.Context, q interface {
	QueryRow(string, ...any) *sql.Row
}, ref tdRef) (doc, tags string, rev int, status string, err error) {
	var row *sql.Row
	if ref.revision == 0 {
		row = q.QueryRow(`SELECT doc, tags, revision, status FROM ecs_task_definitions
			WHERE account=? AND region=? AND status='ACTIVE' AND family=? ORDER BY revision DESC LIMIT 1`,
			c.Account, c.Region, ref.family)
	} else {
		row = q.QueryRow(`SELECT doc, tags, revision, status FROM ecs_task_definitions
			WHERE account=? AND region=? AND family=? AND revision=?`, c.Account, c.Region, ref.family, ref.revision)
	}
	err = row.Scan(&doc, &tags, &rev, &status)
	return
}

func (s *service) describeTaskDefinition(c *awsapi.Context, in *describeIn) (*describeOut, error) {
	if str(in.TaskDefinition) == "" {
		return nil, errInvalid("taskDefinition can not be blank.")
	}
	if err := checkInclude(in.Include, []string{"TAGS"}); err != nil {
		return nil, err
	}
	ref, ok := parseTDRef(c, str(in.TaskDefinition))
	if !ok {
		return nil, errNoTaskDefinition
	}
	doc, tags, _, _, err := s.loadTD(c, s.db.Read(), ref)
	if isNoRows(err) {
		return nil, errNoTaskDefinition
	}
	if err != nil {
		return nil, err
	}
	out := &describeOut{TaskDefinition: json.RawMessage(doc)}
	for _, inc := range in.Include {
		if inc == "TAGS" {
			out.Tags = []tag{}
			if err := json.Unmarshal([]byte(tags), &out.Tags); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// setStatus rewrites a stored document's status, adding the timestamp field
// that goes with it (deregisteredAt, deleteRequestedAt).
func setStatus(doc, status, stampField string, now time.Time) (string, error) {
	m, err := decodeObject([]byte(doc))
	if err != nil {
		return "", err
	}
	m["status"] = status
	if _, ok := m[stampField]; !ok {
		m[stampField] = timeJSON(now)
	}
	b, err := json.Marshal(m)
	return string(b), err
}

type deregisterIn struct {
	TaskDefinition *string `json:"taskDefinition"`
}

type deregisterOut struct {
	TaskDefinition json.RawMessage `json:"taskDefinition"`
}

func (s *service) deregisterTaskDefinition(c *awsapi.Context, in *deregisterIn) (*deregisterOut, error) {
	id := str(in.TaskDefinition)
	if id == "" {
		return nil, errInvalid("taskDefinition can not be blank.")
	}
	ref, ok := parseTDRef(c, id)
	if !ok {
		return nil, errNoTaskDefinition
	}
	if ref.revision == 0 {
		return nil, awsapi.NewError(codeClient, "Revision is missing.")
	}
	var out string
	err := s.db.Write(c, func(tx *state.Tx) error {
		doc, _, rev, status, err := s.loadTD(c, tx, ref)
		if isNoRows(err) {
			return errNoTaskDefinition
		}
		if err != nil {
			return err
		}
		out = doc
		if status != "ACTIVE" {
			return nil
		}
		if out, err = setStatus(doc, "INACTIVE", "deregisteredAt", time.Now()); err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE ecs_task_definitions SET status='INACTIVE', doc=? WHERE account=? AND region=? AND family=? AND revision=?`,
			out, c.Account, c.Region, ref.family, rev); err != nil {
			return err
		}
		_, err = tx.Exec(`UPDATE ecs_task_families SET active = active - 1 WHERE account=? AND region=? AND family=?`,
			c.Account, c.Region, ref.family)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &deregisterOut{TaskDefinition: json.RawMessage(out)}, nil
}

type deleteIn struct {
	TaskDefinitions []string `json:"taskDefinitions"`
}

type failure struct {
	Arn    string `json:"arn,omitempty"`
	Reason string `json:"reason,omitempty"`
	Detail string `json:"detail,omitempty"`
}

type deleteOut struct {
	TaskDefinitions []json.RawMessage `json:"taskDefinitions"`
	Failures        []failure         `json:"failures"`
}

// Reasons DeleteTaskDefinitions gives in failures.
const (
	reasonInvalidID = "The specified task definition identifier is invalid. Specify a valid name or ARN and try again."
	reasonNotFound  = "The specified task definition does not exist. Specify a valid account, family, revision and try again."
	reasonActive    = "The specified task definition is still in ACTIVE status. Please deregister the target and try again."
)

const maxDelete = 10

func (s *service) deleteTaskDefinitions(c *awsapi.Context, in *deleteIn) (*deleteOut, error) {
	if len(in.TaskDefinitions) == 0 {
		return nil, errInvalid("taskDefinitions can not be empty.")
	}
	if len(in.TaskDefinitions) > maxDelete {
		return nil, errInvalid(fmt.Sprintf("You can specify up to %d task definitions in a single request.", maxDelete))
	}
	out := &deleteOut{TaskDefinitions: []json.RawMessage{}, Failures: []failure{}}
	now := time.Now()
	err := s.db.Write(c, func(tx *state.Tx) error {
		for _, id := range in.TaskDefinitions {
			ref, ok := parseTDRef(c, id)
			if !ok || ref.revision == 0 {
				out.Failures = append(out.Failures, failure{Arn: id, Reason: reasonInvalidID})
				continue
			}
			doc, _, _, status, err := s.loadTD(c, tx, ref)
			if isNoRows(err) {
				out.Failures = append(out.Failures, failure{Arn: id, Reason: reasonNotFound})
				continue
			}
			if err != nil {
				return err
			}
			if status == "ACTIVE" {
				out.Failures = append(out.Failures, failure{Arn: id, Reason: reasonActive})
				continue
			}
			if status != "DELETE_IN_PROGRESS" {
				if doc, err = setStatus(doc, "DELETE_IN_PROGRESS", "deleteRequestedAt", now); err != nil {
					return err
				}
				if _, err := tx.Exec(`UPDATE ecs_task_definitions SET status='DELETE_IN_PROGRESS', doc=? WHERE account=? AND region=? AND family=? AND revision=?`,
					doc, c.Account, c.Region, ref.family, ref.revision); err != nil {
					return err
				}
			}
			out.TaskDefinitions = append(out.TaskDefinitions, json.RawMessage(doc))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Paging limits of the list operations.
const (
	defaultMaxResults = 100
	maxMaxResults     = 100
)

func pageSize(max *int) (int, error) {
	if max == nil {
		return defaultMaxResults, nil
	}
	if *max < 1 || *max > maxMaxResults {
		return 0, errInvalid(fmt.Sprintf("maxResults must be between 1 and %d.", maxMaxResults))
	}
	return *max, nil
}

var errBadToken = errInvalid("Invalid nextToken.")

type listTDIn struct {
	FamilyPrefix *string `json:"familyPrefix"`
	Status       *string `json:"status"`
	Sort         *string `json:"sort"`
	NextToken    *string `json:"nextToken"`
	MaxResults   *int    `json:"maxResults"`
}

type listTDOut struct {
	TaskDefinitionArns []string `json:"taskDefinitionArns"`
	NextToken          *string  `json:"nextToken,omitempty"`
}

// listTaskDefinitions pages by (family, revision) through the status index:
// each page is one index range scan, whatever the number of revisions.
func (s *service) listTaskDefinitions(c *awsapi.Context, in *listTDIn) (*listTDOut, error) {
	status := "ACTIVE"
	if in.Status != nil {
		status = *in.Status
		if status != "ACTIVE" && status != "INACTIVE" && status != "DELETE_IN_PROGRESS" {
			return nil, errInvalid("status must be one of [ACTIVE, INACTIVE, DELETE_IN_PROGRESS].")
		}
	}
	desc := false
	if in.Sort != nil {
		switch *in.Sort {
		case "ASC":
		case "DESC":
			desc = true
		default:
			return nil, errInvalid("sort must be one of [ASC, DESC].")
		}
	}
	limit, err := pageSize(in.MaxResults)
	if err != nil {
		return nil, err
	}
	q := `SELECT family, revision FROM ecs_task_definitions WHERE account=? AND region=? AND status=?`
	args := []any{c.Account, c.Region, status}
	if fp := str(in.FamilyPrefix); fp != "" {
		q += ` AND family=?`
		args = append(args, fp)
	}
	if tok := str(in.NextToken); tok != "" {
		key, ok := awsapi.DecodeToken(tok)
		fam, revText, ok2 := strings.Cut(key, "\x00")
		rev, err := strconv.Atoi(revText)
		if !ok || !ok2 || err != nil {
			return nil, errBadToken
		}
		if desc {
			q += ` AND (family, revision) < (?, ?)`
		} else {
			q += ` AND (family, revision) > (?, ?)`
		}
		args = append(args, fam, rev)
	}
	if desc {
		q += ` ORDER BY family DESC, revision DESC`
	} else {
		q += ` ORDER BY family, revision`
	}
	q += ` LIMIT ?`
	args = append(args, limit+1)
	rows, err := s.db.Read().QueryContext(c, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := &listTDOut{TaskDefinitionArns: []string{}}
	var lastFam string
	var lastRev int
	for rows.Next() {
		var fam string
		var rev int
		if err := rows.Scan(&fam, &rev); err != nil {
			return nil, err
		}
		if len(out.TaskDefinitionArns) == limit {
			tok := awsapi.EncodeToken(lastFam + "\x00" + strconv.Itoa(lastRev))
			out.NextToken = &tok
			break
		}
		out.TaskDefinitionArns = append(out.TaskDefinitionArns, tdARN(c, fam, rev))
		lastFam, lastRev = fam, rev
	}
	return out, rows.Err()
}

type listFamiliesIn struct {
	FamilyPrefix *string `json:"familyPrefix"`
	Status       *string `json:"status"`
	NextToken    *string `json:"nextToken"`
	MaxResults   *int    `json:"maxResults"`
}

type listFamiliesOut struct {
	Families  []string `json:"families"`
	NextToken *string  `json:"nextToken,omitempty"`
}

func (s *service) listTaskDefinitionFamilies(c *awsapi.Context, in *listFamiliesIn) (*listFamiliesOut, error) {
	q := `SELECT family FROM ecs_task_families WHERE account=? AND region=?`
	args := []any{c.Account, c.Region}
	switch str(in.Status) {
	case "", "ALL":
	case "ACTIVE":
		q += ` AND active > 0`
	case "INACTIVE":
		q += ` AND active = 0`
	default:
		return nil, errInvalid("status must be one of [ACTIVE, INACTIVE, ALL].")
	}
	limit, err := pageSize(in.MaxResults)
	if err != nil {
		return nil, err
	}
	if fp := str(in.FamilyPrefix); fp != "" {
		// Families are ASCII, all below 0x7f, so this range is the prefix.
		q += ` AND family >= ? AND family < ?`
		args = append(args, fp, fp+"\x7f")
	}
	if tok := str(in.NextToken); tok != "" {
		key, ok := awsapi.DecodeToken(tok)
		if !ok {
			return nil, errBadToken
		}
		q += ` AND family > ?`
		args = append(args, key)
	}
	q += ` ORDER BY family LIMIT ?`
	args = append(args, limit+1)
	rows, err := s.db.Read().QueryContext(c, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := &listFamiliesOut{Families: []string{}}
	for rows.Next() {
		var fam string
		if err := rows.Scan(&fam); err != nil {
			return nil, err
		}
		if len(out.Families) == limit {
			tok := awsapi.EncodeToken(out.Families[limit-1])
			out.NextToken = &tok
			break
		}
		out.Families = append(out.Families, fam)
	}
	return out, rows.Err()
}
