"""Calls every emulated service through boto3/botocore, as a Python program
pointed at the emulator with endpoint_url does, and prints what it saw as one
JSON object: values a client reads and the error codes botocore parsed. The
Go test (botocore_test.go) runs it and checks the values.

Usage: python3 botocore_calls.py <endpoint-url>
"""

import base64
import json
import sys

import boto3
import botocore
from botocore.config import Config
from botocore.exceptions import ClientError

endpoint = sys.argv[1]
session = boto3.session.Session(
    aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1"
)
out = {}


def client(name, **kw):
    return session.client(name, endpoint_url=endpoint, **kw)


def error(call, **kw):
    """The error code and message botocore parsed from a refused call."""
    try:
        call(**kw)
    except ClientError as e:
        return {
            "code": e.response["Error"]["Code"],
            "message": e.response["Error"].get("Message", ""),
            "status": e.response["ResponseMetadata"]["HTTPStatusCode"],
        }
    return None


# ECR
ecr = client("ecr")
repo = ecr.create_repository(repositoryName="boto/app")["repository"]
out["ecr.uri"] = repo["repositoryUri"]
out["ecr.mutability"] = repo["imageTagMutability"]
out["ecr.createdAtType"] = type(repo["createdAt"]).__name__
out["ecr.again"] = error(ecr.create_repository, repositoryName="boto/app")
out["ecr.badName"] = error(ecr.create_repository, repositoryName="Bad_Name!")
out["ecr.names"] = [
    r["repositoryName"]
    for page in ecr.get_paginator("describe_repositories").paginate()
    for r in page["repositories"]
]
token = ecr.get_authorization_token()["authorizationData"][0]
out["ecr.tokenUser"] = base64.b64decode(token["authorizationToken"]).decode().split(":")[0]

# ECS
ecs = client("ecs")
fargate = dict(
    family="boto",
    requiresCompatibilities=["FARGATE"],
    cpu="256",
    memory="512",
    containerDefinitions=[{"name": "web", "image": "nginx"}],
)
out["ecs.fargateBridge"] = error(ecs.register_task_definition, networkMode="bridge", **fargate)
td = ecs.register_task_definition(
    networkMode="awsvpc", tags=[{"key": "team", "value": "a"}], **fargate
)["taskDefinition"]
out["ecs.revision"] = td["revision"]
out["ecs.essential"] = td["containerDefinitions"][0]["essential"]
out["ecs.cpu"] = td["containerDefinitions"][0]["cpu"]
described = ecs.describe_task_definition(taskDefinition="boto:1", include=["TAGS"])
out["ecs.tags"] = described["tags"]
out["ecs.arns"] = ecs.list_task_definitions(familyPrefix="boto")["taskDefinitionArns"]
out["ecs.missing"] = error(ecs.describe_task_definition, taskDefinition="ghost:1")

# Secrets Manager
sm = client("secretsmanager")
secret = sm.create_secret(Name="boto/db", SecretString='{"password":"p"}')
out["sm.arn"] = secret["ARN"]
out["sm.value"] = sm.get_secret_value(SecretId="boto/db")["SecretString"]
out["sm.window3"] = error(sm.delete_secret, SecretId="boto/db", RecoveryWindowInDays=3)
sm.delete_secret(SecretId="boto/db", RecoveryWindowInDays=7)
out["sm.deleted"] = error(sm.get_secret_value, SecretId="boto/db")
# Debian's botocore predates IncludePlannedDeletion: a secret scheduled for
# deletion is left out of the list.
out["sm.listed"] = [s["Name"] for s in sm.list_secrets()["SecretList"]]

# IAM (Query protocol, XML answers)
iam = client("iam")
policy = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
)
role = iam.create_role(RoleName="boto-task", AssumeRolePolicyDocument=policy)["Role"]
out["iam.arn"] = role["Arn"]
out["iam.again"] = error(iam.create_role, RoleName="boto-task", AssumeRolePolicyDocument=policy)
out["iam.missing"] = error(iam.get_role, RoleName="ghost")
iam.attach_role_policy(
    RoleName="boto-task",
    PolicyArn="arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
)
out["iam.attached"] = [
    p["PolicyName"]
    for p in iam.list_attached_role_policies(RoleName="boto-task")["AttachedPolicies"]
]
out["iam.roles"] = [r["RoleName"] for r in iam.list_roles()["Roles"]]

# STS
sts = client("sts")
out["sts.account"] = sts.get_caller_identity()["Account"]
unsigned = client("sts", config=Config(signature_version=botocore.UNSIGNED))
out["sts.unsigned"] = error(unsigned.get_caller_identity)

# KMS
kms = client("kms")
out["kms.aliases"] = [a["AliasName"] for a in kms.list_aliases()["Aliases"]]
key = kms.create_key(Description="boto")["KeyMetadata"]
out["kms.keyState"] = key["KeyState"]
out["kms.described"] = kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["Description"]

# CloudWatch Logs
logs = client("logs")
logs.create_log_group(logGroupName="/ecs/boto")
logs.put_retention_policy(logGroupName="/ecs/boto", retentionInDays=7)
group = logs.describe_log_groups(logGroupNamePrefix="/ecs/boto")["logGroups"][0]
out["logs.retention"] = group["retentionInDays"]
out["logs.creationTimeType"] = type(group["creationTime"]).__name__
out["logs.again"] = error(logs.create_log_group, logGroupName="/ecs/boto")



# Pagination: botocore's paginators, two items a page, walk every page of
# each listing the emulator serves; the Go test compares what they collect
# with what was made.
def paginate(c, op, key, **kw):
    items = []
    for page in c.get_paginator(op).paginate(PaginationConfig={"PageSize": 2}, **kw):
        items.extend(page[key])
    return items


for i in range(4):
    ecr.create_repository(repositoryName=f"boto/page-{i}")
    ecs.register_task_definition(networkMode="awsvpc", **dict(fargate, family=f"page-{i}"))
    ecs.register_task_definition(networkMode="awsvpc", **fargate)
    ecs.create_cluster(clusterName=f"page-{i}")
    sm.create_secret(Name=f"boto/page-{i}", SecretString="v")
    kms.create_key(Description=f"page-{i}")
    logs.create_log_group(logGroupName=f"/boto/page-{i}")
    iam.create_role(RoleName=f"boto-page-{i}", AssumeRolePolicyDocument=policy)
    iam.attach_role_policy(RoleName="boto-task", PolicyArn="arn:aws:iam::aws:policy/" + [
        "AmazonEC2ContainerRegistryReadOnly", "AmazonEC2ContainerRegistryPowerUser",
        "AmazonECS_FullAccess", "SecretsManagerReadWrite"][i])
out["pages.repositories"] = sorted(r["repositoryName"] for r in paginate(ecr, "describe_repositories", "repositories"))
out["pages.taskDefinitions"] = paginate(ecs, "list_task_definitions", "taskDefinitionArns", familyPrefix="boto")
out["pages.families"] = paginate(ecs, "list_task_definition_families", "families")
out["pages.clusters"] = sorted(paginate(ecs, "list_clusters", "clusterArns"))
out["pages.secrets"] = sorted(s["Name"] for s in paginate(sm, "list_secrets", "SecretList"))
out["pages.keys"] = len(paginate(kms, "list_keys", "Keys"))
out["pages.aliases"] = len(paginate(kms, "list_aliases", "Aliases"))
out["pages.logGroups"] = [g["logGroupName"] for g in paginate(logs, "describe_log_groups", "logGroups", logGroupNamePrefix="/boto/")]
out["pages.roles"] = sorted(r["RoleName"] for r in paginate(iam, "list_roles", "Roles"))
out["pages.attached"] = sorted(p["PolicyName"] for p in paginate(iam, "list_attached_role_policies", "AttachedPolicies", RoleName="boto-task"))
out["nopage.keys"] = len(kms.list_keys()["Keys"])
out["nopage.aliases"] = len(kms.list_aliases()["Aliases"])

print(json.dumps(out))
