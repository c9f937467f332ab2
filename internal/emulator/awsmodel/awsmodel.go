// Package awsmodel checks an emulator's calls against AWS's service models,
// as botocore ships them, for tests: JSON requests and answers, and the Query
// services' XML answers.
package awsmodel

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// botocoreData is where Debian's python3-botocore (installed by .ci/run
// with python3-boto3) keeps the AWS service models: the API references in
// machine form, one service-2.json per service and API version.
const botocoreData = "/usr/lib/python3/dist-packages/botocore/data"

// modelServices are the services the emulator plays, by model folder: JSON
// 1.1 ones (their calls carry X-Amz-Target) and the Query ones, IAM and
// STS (form posts naming an Action, XML answers).
var modelServices = []string{"ecr/2015-09-21", "ecs/2014-11-13", "secretsmanager/2017-10-17", "kms/2014-11-01", "logs/2014-03-28",
	"iam/2010-05-08", "sts/2011-06-15"}

// newerThanModel lists what AWS added after the botocore these models come
// from (Debian's 1.29, January 2023) and the emulator answers with, as
// AWS does today: output members as "<shape>.<member>", enum values as
// "<shape>=<value>", operations as "<Operation>". Each was checked against
// botocore 1.43's models (BERTH_BOTOCORE_DATA points the check at another
// botocore's data folder).
var newerThanModel = []string{
	"ImageDetail.imageStatus",                       // ECR image archiving
	"ImageDetail.subjectManifestDigest",             // ECR referrers
	"ImageTagMutability=IMMUTABLE_WITH_EXCLUSION",   // ECR tag mutability exclusions
	"ImageTagMutability=MUTABLE_WITH_EXCLUSION",     // ECR tag mutability exclusions
	"Repository.imageTagMutabilityExclusionFilters", // ECR tag mutability exclusions
	"PutImageTagMutabilityRequest.imageTagMutabilityExclusionFilters",
	"PutImageTagMutabilityResponse.imageTagMutabilityExclusionFilters",
	"DeleteTaskDefinitions",                        // ECS, February 2023
	"TaskDefinition.deleteRequestedAt",             // ECS, with DeleteTaskDefinitions
	"TaskDefinitionStatus=DELETE_IN_PROGRESS",      // ECS, with DeleteTaskDefinitions
	"TaskDefinition.enableFaultInjection",          // ECS fault injection
	"ContainerDefinition.restartPolicy",            // ECS container restart policy
	"ContainerDefinition.versionConsistency",       // ECS image digest resolution
	"LogGroup.logGroupClass",                       // Logs infrequent access class
	"LogGroup.logGroupArn",                         // Logs
	"DescribeLogGroupsRequest.logGroupIdentifiers", // Logs
	"ListSecretsRequest.SortBy",                    // Secrets Manager list sorting
	"ListSecretsRequest.IncludePlannedDeletion",    // Secrets Manager
	"CreateRepositoryRequest.imageTagMutabilityExclusionFilters",
	"RegisterTaskDefinitionRequest.enableFaultInjection",
	// Not AWS's: internal/cloud's tests send this member, which no model
	// has, to see that Berth passes a task definition on as it is. The
	// emulator keeps members it does not know; what ECS does with members
	// it does not know is not documented.
	"ContainerDefinition.futureContainerField",
}

type shape struct {
	Type            string            `json:"type"`
	Members         map[string]member `json:"members"`
	Member          *member           `json:"member"`
	Key             *member           `json:"key"`
	Value           *member           `json:"value"`
	Enum            []string          `json:"enum"`
	TimestampFormat string            `json:"timestampFormat"`
	// byWire maps a structure's members' names on the wire to their names
	// in the model; filled once, when the model is loaded.
	byWire map[string]string
}

// membersByWire maps the names a structure's members have on the wire
// (their locationName, else their own) to their names in the model.
func (s shape) membersByWire() map[string]string {
	m := make(map[string]string, len(s.Members))
	for name, mem := range s.Members {
		wire := name
		if mem.LocationName != "" {
			wire = mem.LocationName
		}
		m[wire] = name
	}
	return m
}

type member struct {
	Shape        string `json:"shape"`
	LocationName string `json:"locationName"`
}

type model struct {
	Metadata struct {
		TargetPrefix string `json:"targetPrefix"`
		Protocol     string `json:"protocol"`
	} `json:"metadata"`
	Operations map[string]struct {
		Input  *member `json:"input"`
		Output *struct {
			member
			ResultWrapper string `json:"resultWrapper"`
		} `json:"output"`
	} `json:"operations"`
	Shapes map[string]shape `json:"shapes"`
}

// models holds the loaded models: JSON services by X-Amz-Target prefix,
// Query services by each of their actions.
type models struct {
	json  map[string]*model
	query map[string]*model
}

var (
	modelsOnce sync.Once
	loaded     models
	modelsErr  error
)

func loadModels() (models, error) {
	modelsOnce.Do(func() {
		m := models{json: map[string]*model{}, query: map[string]*model{}}
		dir := botocoreData
		if d := os.Getenv("BERTH_BOTOCORE_DATA"); d != "" {
			dir = d
		}
		for _, svc := range modelServices {
			b, err := readModel(filepath.Join(dir, svc, "service-2.json"))
			if err != nil {
				modelsErr = err
				return
			}
			md := new(model)
			if err := json.Unmarshal(b, md); err != nil {
				modelsErr = fmt.Errorf("%s: %w", svc, err)
				return
			}
			for name, sh := range md.Shapes {
				if sh.Type == "structure" {
					sh.byWire = sh.membersByWire()
					md.Shapes[name] = sh
				}
			}
			if md.Metadata.Protocol == "query" {
				for op := range md.Operations {
					m.query[op] = md
				}
				continue
			}
			m.json[md.Metadata.TargetPrefix] = md
		}
		loaded = m
	})
	return loaded, modelsErr
}

// readModel reads a model file, or its gzipped form as newer botocore
// releases ship it.
func readModel(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return b, err
	}
	f, err := os.Open(path + ".gz")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	return io.ReadAll(z)
}

// Benchmarking reports whether the test binary runs benchmarks (-test.bench):
// their figures must time the emulator alone, so callers leave Wrap out.
func Benchmarking() bool {
	f := flag.Lookup("test.bench")
	return f != nil && f.Value.String() != ""
}

// Wrap returns h with every successful JSON call checked against the AWS
// model of its operation, request and answer alike: only members the shape
// has, each of its type, enum values from the enum, no nulls. Each problem
// is given to report. The SDKs skip members they do not know, so a misnamed
// or misplaced member in an answer would pass every SDK test while a real
// AWS answer has it elsewhere; and a request the emulator accepted although
// the model does not have it (Berth sends task definitions as JSON of its
// own) is one AWS might not accept. Without the models (python3-botocore)
// Wrap returns the error and h unchanged.
func Wrap(h http.Handler, report func(problem string)) (http.Handler, error) {
	ms, err := loadModels()
	if err != nil {
		return h, fmt.Errorf("AWS models for checking the emulator's calls: %w (apt-get install python3-botocore; .ci/run does)", err)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") && r.Method == http.MethodPost {
			checkQuery(ms, h, w, r, report)
			return
		}
		prefix, op, ok := strings.Cut(r.Header.Get("X-Amz-Target"), ".")
		m := ms.json[prefix]
		if !ok || m == nil {
			h.ServeHTTP(w, r)
			return
		}
		req, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(req))
		rec := &teeWriter{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(rec, r)
		if rec.status != http.StatusOK {
			return
		}
		if problems := m.check(op, rec.body.Bytes()); len(problems) > 0 {
			report(fmt.Sprintf("%s.%s answered what AWS's model does not have:\n  %s", prefix, op, strings.Join(problems, "\n  ")))
		}
		if problems := m.checkInput(op, req); len(problems) > 0 {
			report(fmt.Sprintf("%s.%s accepted a request AWS's model does not have:\n  %s", prefix, op, strings.Join(problems, "\n  ")))
		}
	}), nil
}

type teeWriter struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (w *teeWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *teeWriter) Write(b []byte) (int, error) {
	w.body.Write(b)
	return w.ResponseWriter.Write(b)
}

// check returns what in an operation's answer the model does not allow.
func (m *model) check(op string, body []byte) []string {
	o, ok := m.Operations[op]
	if !ok {
		if slices.Contains(newerThanModel, op) {
			return nil
		}
		return []string{"the model has no operation " + op}
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return []string{"not JSON: " + err.Error()}
	}
	if o.Output == nil {
		if obj, ok := v.(map[string]any); !ok || len(obj) > 0 {
			return []string{fmt.Sprintf("the operation has no output, the answer is %s", body)}
		}
		return nil
	}
	var problems []string
	m.walk(o.Output.Shape, v, op, &problems)
	sort.Strings(problems)
	return problems
}

// checkQuery serves a Query-protocol call and checks its XML answer: the
// <Action>Result element against the output shape (its elements are the
// shape's members, lists hold <member> elements, values parse as their
// types, enum values come from the enum).
func checkQuery(ms models, h http.Handler, w http.ResponseWriter, r *http.Request, report func(string)) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	form, _ := url.ParseQuery(string(body))
	action := form.Get("Action")
	rec := &teeWriter{ResponseWriter: w, status: http.StatusOK}
	h.ServeHTTP(rec, r)
	m := ms.query[action]
	if rec.status != http.StatusOK || m == nil {
		return
	}
	if problems := m.checkXML(action, rec.body.Bytes()); len(problems) > 0 {
		report(fmt.Sprintf("%s answered what AWS's model does not have:\n  %s", action, strings.Join(problems, "\n  ")))
	}
}

// xmlNode is an element of an answer: its name, its text, its elements.
type xmlNode struct {
	XMLName  xml.Name
	Text     string     `xml:",chardata"`
	Children []*xmlNode `xml:",any"`
}

func (n *xmlNode) child(name string) *xmlNode {
	for _, c := range n.Children {
		if c.XMLName.Local == name {
			return c
		}
	}
	return nil
}

func (m *model) checkXML(action string, body []byte) []string {
	o := m.Operations[action]
	var root xmlNode
	if err := xml.Unmarshal(body, &root); err != nil {
		return []string{"not XML: " + err.Error()}
	}
	if root.XMLName.Local != action+"Response" {
		return []string{"the answer is <" + root.XMLName.Local + ">, not <" + action + "Response>"}
	}
	if o.Output == nil {
		if res := root.child(action + "Result"); res != nil && len(res.Children) > 0 {
			return []string{"the operation has no output, the answer has a result"}
		}
		return nil
	}
	res := root.child(o.Output.ResultWrapper)
	if res == nil {
		return []string{"no <" + o.Output.ResultWrapper + "> element"}
	}
	var problems []string
	m.walkXML(o.Output.Shape, res, action, &problems)
	sort.Strings(problems)
	return problems
}

func (m *model) walkXML(name string, n *xmlNode, path string, problems *[]string) {
	s := m.Shapes[name]
	bad := func(format string, args ...any) {
		*problems = append(*problems, path+": "+fmt.Sprintf(format, args...))
	}
	if s.Type != "structure" && s.Type != "list" && s.Type != "map" && len(n.Children) > 0 {
		bad("elements inside a %s (%s)", s.Type, name)
		return
	}
	text := strings.TrimSpace(n.Text)
	switch s.Type {
	case "structure":
		byWire := s.byWire
		for _, c := range n.Children {
			mn, ok := byWire[c.XMLName.Local]
			if !ok {
				if !slices.Contains(newerThanModel, name+"."+c.XMLName.Local) {
					bad("element <%s> is not in %s", c.XMLName.Local, name)
				}
				continue
			}
			m.walkXML(s.Members[mn].Shape, c, path+"."+c.XMLName.Local, problems)
		}
	case "list":
		want := "member"
		if s.Member.LocationName != "" {
			want = s.Member.LocationName
		}
		for i, c := range n.Children {
			if c.XMLName.Local != want {
				bad("list element <%s>, want <%s>", c.XMLName.Local, want)
				continue
			}
			m.walkXML(s.Member.Shape, c, fmt.Sprintf("%s[%d]", path, i), problems)
		}
	case "map":
		// No answer of IAM's or STS's the emulator gives has a map.
	case "string":
		if len(s.Enum) > 0 && !slices.Contains(s.Enum, text) && !slices.Contains(newerThanModel, name+"="+text) {
			bad("%q is not one of %s's values %v", text, name, s.Enum)
		}
	case "integer", "long":
		if _, err := strconv.ParseInt(text, 10, 64); err != nil {
			bad("%q is not a whole number (%s)", text, name)
		}
	case "boolean":
		if text != "true" && text != "false" {
			bad("%q is not true or false (%s)", text, name)
		}
	case "timestamp":
		if _, err := time.Parse(time.RFC3339, text); err != nil {
			bad("%q is not an ISO 8601 time (%s)", text, name)
		}
	}
}

// checkInput returns what in a request the model does not allow.
func (m *model) checkInput(op string, body []byte) []string {
	o, ok := m.Operations[op]
	if !ok || o.Input == nil {
		return nil
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return []string{"not JSON: " + err.Error()}
	}
	var problems []string
	m.walk(o.Input.Shape, v, op, &problems)
	sort.Strings(problems)
	return problems
}

func (m *model) walk(name string, v any, path string, problems *[]string) {
	s, ok := m.Shapes[name]
	if !ok {
		*problems = append(*problems, path+": unknown shape "+name)
		return
	}
	bad := func(format string, args ...any) {
		*problems = append(*problems, path+": "+fmt.Sprintf(format, args...))
	}
	if v == nil {
		bad("null (AWS leaves a member out instead)")
		return
	}
	switch s.Type {
	case "structure":
		obj, ok := v.(map[string]any)
		if !ok {
			bad("%T, want an object (%s)", v, name)
			return
		}
		byWire := s.byWire
		for k, mv := range obj {
			n, ok := byWire[k]
			if !ok {
				if !slices.Contains(newerThanModel, name+"."+k) {
					bad("member %q is not in %s", k, name)
				}
				continue
			}
			m.walk(s.Members[n].Shape, mv, path+"."+k, problems)
		}
	case "list":
		arr, ok := v.([]any)
		if !ok {
			bad("%T, want an array (%s)", v, name)
			return
		}
		for i, e := range arr {
			m.walk(s.Member.Shape, e, fmt.Sprintf("%s[%d]", path, i), problems)
		}
	case "map":
		obj, ok := v.(map[string]any)
		if !ok {
			bad("%T, want an object (%s)", v, name)
			return
		}
		for k, e := range obj {
			m.walk(s.Value.Shape, e, path+"["+k+"]", problems)
		}
	case "string":
		str, ok := v.(string)
		if !ok {
			bad("%T, want a string (%s)", v, name)
			return
		}
		if len(s.Enum) > 0 && !slices.Contains(s.Enum, str) && !slices.Contains(newerThanModel, name+"="+str) {
			bad("%q is not one of %s's values %v", str, name, s.Enum)
		}
	case "integer", "long", "double", "float":
		if _, ok := v.(float64); !ok {
			bad("%T, want a number (%s)", v, name)
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			bad("%T, want true or false (%s)", v, name)
		}
	case "timestamp":
		switch v.(type) {
		case float64:
			if s.TimestampFormat != "" && s.TimestampFormat != "unixTimestamp" {
				bad("a number, the model says %s (%s)", s.TimestampFormat, name)
			}
		case string:
			if s.TimestampFormat == "" || s.TimestampFormat == "unixTimestamp" {
				bad("a string, want epoch seconds as a number (%s)", name)
			}
		default:
			bad("%T, want a timestamp (%s)", v, name)
		}
	case "blob":
		if _, ok := v.(string); !ok {
			bad("%T, want base64 text (%s)", v, name)
		}
	default:
		bad("shape type %s is not checked", s.Type)
	}
}
