package form

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/berthhq/berth/internal/awsrules"
)

// TaskDefRulesView maps a document onto the shared rules' task definition,
// decoded exactly as the emulator decodes a request. An error means a value
// has the wrong JSON type (a number where ECS wants a string…), which ECS
// refuses before any rule.
func TaskDefRulesView(doc TaskDefDoc) (awsrules.ECSTaskDefinition, error) {
	b, err := json.Marshal(map[string]any(doc))
	if err != nil {
		return awsrules.ECSTaskDefinition{}, err
	}
	in, err := awsrules.DecodeECSTaskDefinition(b)
	if err != nil {
		return awsrules.ECSTaskDefinition{}, err
	}
	return in.Rules(), nil
}

// TaskDefProblem is one broken AWS rule found in a document, with the answer
// ECS gives for it (for the tests that hold the rules and the emulator to
// the same verdict).
type TaskDefProblem struct {
	Field, Message, Code, AWSMessage string
}

// TaskDefDocProblems checks a document against every AWS rule Berth knows,
// in the order ECS checks them (ECS reports the first). Field is the rule's
// JSON path ("containerDefinitions[0].memory").
func TaskDefDocProblems(doc TaskDefDoc) []TaskDefProblem {
	var ps []TaskDefProblem
	body, err := doc.Marshal()
	if err == nil && len(body) > awsrules.ECSMaxTaskDefinitionBytes {
		ps = append(ps, TaskDefProblem{Message: fmt.Sprintf("The task definition is %d bytes of JSON; ECS accepts at most %d (64 KiB). Remove containers, environment variables or labels.", len(body), awsrules.ECSMaxTaskDefinitionBytes),
			Code: "ClientException", AWSMessage: fmt.Sprintf("Actual length: '%d'. Max allowed length is '%d' bytes.", len(body), awsrules.ECSMaxTaskDefinitionBytes)})
		return ps
	}
	view, err := TaskDefRulesView(doc)
	if err != nil {
		msg := "A value in the JSON has the wrong type."
		var te *json.UnmarshalTypeError
		if ok := tdAsTypeError(err, &te); ok {
			msg = fmt.Sprintf("%s must be a %s, not a JSON %s.", te.Field, tdJSONKind(te.Type.Kind().String()), te.Value)
		}
		return append(ps, TaskDefProblem{Message: msg, Code: "SerializationException"})
	}
	for _, p := range awsrules.TaskDefinitionProblems(view) {
		ps = append(ps, TaskDefProblem{Field: p.Field, Message: p.Message, Code: p.Code, AWSMessage: p.AWSMessage})
	}
	td := doc.Typed()
	if len(td.Tags) > awsrules.ECSMaxTags {
		ps = append(ps, TaskDefProblem{Field: "tags", Message: fmt.Sprintf("A task definition can have at most %d tags.", awsrules.ECSMaxTags),
			Code: "InvalidParameterException", AWSMessage: fmt.Sprintf("The number of tags cannot exceed %d.", awsrules.ECSMaxTags)})
	}
	for i, t := range td.Tags {
		for _, m := range awsrules.ECSTagProblems(t.Key, t.Value) {
			ps = append(ps, TaskDefProblem{Field: fmt.Sprintf("tags[%d]", i), Message: m, Code: "InvalidParameterException"})
		}
	}
	return ps
}

func tdAsTypeError(err error, target **json.UnmarshalTypeError) bool {
	te, ok := err.(*json.UnmarshalTypeError)
	if ok {
		*target = te
	}
	return ok
}

func tdJSONKind(k string) string {
	switch k {
	case "string":
		return "string"
	case "int", "int64", "float64":
		return "number"
	case "bool":
		return "true or false"
	case "slice":
		return "list"
	}
	return "object"
}

var tdBracketIndex = regexp.MustCompile(`\[(\d+)\]`)

// Validate checks the form before register: values that must be numbers,
// then every AWS rule on the document it describes. Each problem is at its
// field, or at the top (naming the JSON key) when the form does not show it.
func (f *TaskDefForm) Validate() (TaskDefDoc, Errors) {
	doc, errs := f.Document()
	numbers := errs
	for _, p := range TaskDefDocProblems(doc) {
		field := f.FormField(p.Field)
		msg := p.Message
		if field == "" && p.Field != "" {
			msg = p.Field + ": " + msg
		}
		// A number problem already sits at this field; the rule's view of
		// the missing value would only repeat it. Several rules may speak
		// of one field (the execution role serves logs, secrets and
		// registry credentials), and each says why.
		if field != "" && numbers.Has(field) || slices.Contains(errs.For(field), msg) {
			continue
		}
		errs.Add(field, msg)
	}
	return doc, errs
}

// FormField maps a rule's JSON path to the input that edits it, or "" when
// the form does not show it (kept JSON, or a key only the JSON tab has).
func (f *TaskDefForm) FormField(path string) string {
	if path == "" {
		return ""
	}
	name := tdBracketIndex.ReplaceAllString(path, ".$1")
	parts := strings.Split(name, ".")
	top := parts[0]
	if f.Locked(top) {
		return ""
	}
	switch top {
	case "family", "networkMode", "cpu", "memory", "executionRoleArn", "taskRoleArn", "requiresCompatibilities", "runtimePlatform":
		return top
	case "volumes":
		return f.volumeField(parts)
	case "ephemeralStorage":
		return "ephemeralStorage.sizeInGiB"
	case "proxyConfiguration":
		if !f.ProxyEnabled {
			return ""
		}
		return "proxyConfiguration.containerName"
	case "tags":
		if len(parts) >= 2 {
			return "tags." + parts[1] + ".key"
		}
		return "tags"
	case "containerDefinitions":
	default:
		return ""
	}
	if len(parts) == 1 {
		return "containerDefinitions"
	}
	i, err := strconv.Atoi(parts[1])
	if err != nil || i >= len(f.Containers) {
		return "containerDefinitions"
	}
	c := f.Containers[i]
	p := "containerDefinitions." + parts[1] + "."
	if len(parts) == 2 {
		return p + "name"
	}
	key := parts[2]
	if c.Locked(key) {
		return ""
	}
	switch key {
	case "name", "image", "cpu", "memory", "memoryReservation":
		return p + key
	case "repositoryCredentials":
		return p + "repositoryCredentials.credentialsParameter"
	case "logConfiguration":
		return p + "logDriver"
	case "healthCheck":
		if len(parts) > 3 {
			return p + "healthCheck." + parts[3]
		}
		return p + "healthCheck.command"
	case "portMappings":
		if len(parts) > 4 {
			return p + "portMappings." + parts[3] + "." + parts[4]
		}
		if len(parts) > 3 {
			return p + "portMappings." + parts[3] + ".containerPort"
		}
	case "resourceRequirements":
		if c.GPU != "" {
			return p + "gpu"
		}
	case "firelensConfiguration":
		return p + "firelensConfiguration.type"
	case "restartPolicy":
		if c.Restart == "" {
			return ""
		}
		if len(parts) > 3 {
			return p + "restartPolicy." + parts[3]
		}
		return p + "restartPolicy.enabled"
	case "ulimits", "dependsOn", "mountPoints", "environmentFiles":
		// Rows of the form's tables; a row's field is its key, or the
		// row's first input.
		first := map[string]string{"ulimits": "name", "dependsOn": "containerName", "mountPoints": "sourceVolume", "environmentFiles": "value"}[key]
		if len(parts) < 4 {
			return ""
		}
		sub := first
		if len(parts) > 4 && key != "environmentFiles" {
			sub = parts[4]
		}
		return p + key + "." + parts[3] + "." + sub
	case "environment", "secrets":
		if len(parts) < 4 {
			return ""
		}
		j, _ := strconv.Atoi(parts[3])
		want := EnvTypeValue
		if key == "secrets" {
			want = EnvTypeValueFrom
		}
		n := 0
		for k, e := range c.Env {
			if e.Type != want {
				continue
			}
			if n == j {
				if key == "environment" {
					return p + "env." + itoa(k) + ".name"
				}
				return p + "env." + itoa(k) + ".value"
			}
			n++
		}
	}
	return ""
}

// volumeField maps a volume's rule path ("volumes[0].name",
// "volumes[0].efsVolumeConfiguration.fileSystemId") to its input; problems
// of the volumes as a whole sit at the volumes fieldset.
func (f *TaskDefForm) volumeField(parts []string) string {
	if len(parts) < 3 {
		return "volumes"
	}
	i, err := strconv.Atoi(parts[1])
	if err != nil || i >= len(f.Volumes) {
		return "volumes"
	}
	p := "volumes." + parts[1] + "."
	last := parts[len(parts)-1]
	switch {
	case parts[2] == "name":
		return p + "name"
	case parts[2] == "dockerVolumeConfiguration" && f.Volumes[i].Type == "docker" && last == "scope":
		return p + "scope"
	case parts[2] == "efsVolumeConfiguration" && f.Volumes[i].Type == "efs" && len(parts) > 3:
		switch last {
		case "fileSystemId", "transitEncryption", "iam":
			return p + last
		}
	}
	return "volumes"
}
