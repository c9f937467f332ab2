package web

import (
	"testing"

	"github.com/berthhq/berth/web/form"
)

// TestTaskDefErrorField: a refusal ECS still returns lands at the field it
// names, else at the top of the form.
func TestTaskDefErrorField(t *testing.T) {
	f := form.NewTaskDefForm()
	f.Containers[0].Name = "web"
	f.AddRow("containerDefinitions")
	f.Containers[1].Name = "worker"
	for msg, want := range map[string]string{
		"Invalid 'memoryReservation' setting for container 'worker'.":                                "containerDefinitions.1.memoryReservation",
		"The 'memory' setting for container 'web' is greater than for the task.":                     "containerDefinitions.0.memory",
		"Invalid 'cpu' setting for task.":                                                            "cpu",
		"No Fargate configuration exists for given values: 256 CPU, 4096 memory.":                    "memory",
		"Fargate requires task definition to have execution role ARN to support log driver awslogs.": "executionRoleArn",
		"Fargate requires task definition to have execution role ARN to support ECR images.":         "executionRoleArn",
		"Role is not valid: taskRoleArn":                                                             "taskRoleArn",
		"Family contains invalid characters.":                                                        "family",
		"Something nobody expected.":                                                                 "",
	} {
		if got := taskDefErrorField(f, msg); got != want {
			t.Errorf("%q -> %q, want %q", msg, got, want)
		}
	}
}
