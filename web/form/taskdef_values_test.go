package form

import "net/url"

// values is what the builder page posts for a form: the same names the
// templates render (web/view/taskdefs_builder.templ).
func (f *TaskDefForm) values() url.Values {
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	flag := func(k string, b bool) {
		if b {
			v.Set(k, "true")
		}
	}
	kv := func(prefix string, rows []KeyValue) {
		for i, r := range rows {
			p := prefix + "." + itoa(i) + "."
			v.Set(p+"key", r.Key)
			v.Set(p+"value", r.Value)
		}
	}
	set("family", f.Family)
	for _, l := range f.LaunchTypes {
		v.Add("requiresCompatibilities", l)
	}
	set("runtimePlatform", f.OSArch)
	set("networkMode", f.NetworkMode)
	set("cpu", f.CPU)
	set("memory", f.Memory)
	set("taskRoleArn", f.TaskRoleArn)
	set("executionRoleArn", f.ExecutionRoleArn)
	set("ephemeralStorage.sizeInGiB", f.EphemeralStorage)
	flag("proxyConfiguration.enabled", f.ProxyEnabled)
	set("proxyConfiguration.containerName", f.ProxyContainer)
	kv("proxyConfiguration.properties", f.ProxyProperties)
	kv("tags", f.Tags)
	set("extra", TaskDefEncodeExtra(f.Extra))
	for i, c := range f.Containers {
		p := "containerDefinitions." + itoa(i) + "."
		v.Set(p+"name", c.Name)
		set(p+"image", c.Image)
		flag(p+"essential", c.Essential)
		flag(p+"privateRegistry", c.PrivateRegistry)
		set(p+"repositoryCredentials.credentialsParameter", c.CredentialsParameter)
		set(p+"cpu", c.CPU)
		set(p+"gpu", c.GPU)
		set(p+"memory", c.Memory)
		set(p+"memoryReservation", c.MemoryReservation)
		set(p+"logDriver", c.LogDriver)
		kv(p+"logOptions", c.LogOptions)
		set(p+"firelensConfiguration.type", c.FirelensType)
		set(p+"healthCheck.command", c.HealthCommand)
		set(p+"healthCheck.interval", c.HealthInterval)
		set(p+"healthCheck.timeout", c.HealthTimeout)
		set(p+"healthCheck.retries", c.HealthRetries)
		set(p+"healthCheck.startPeriod", c.HealthStartPeriod)
		set(p+"entryPoint", c.EntryPoint)
		set(p+"command", c.Command)
		set(p+"workingDirectory", c.WorkingDirectory)
		set(p+"restartPolicy.enabled", c.Restart)
		set(p+"restartPolicy.ignoredExitCodes", c.RestartIgnoredExitCodes)
		set(p+"restartPolicy.restartAttemptPeriod", c.RestartAttemptPeriod)
		flag(p+"readonlyRootFilesystem", c.ReadonlyRootFilesystem)
		kv(p+"dockerLabels", c.Labels)
		set(p+"extra", TaskDefEncodeExtra(c.Extra))
		for j, pm := range c.Ports {
			q := p + "portMappings." + itoa(j) + "."
			v.Set(q+"containerPort", pm.ContainerPort)
			v.Set(q+"hostPort", pm.HostPort)
			v.Set(q+"protocol", pm.Protocol)
			v.Set(q+"name", pm.Name)
			v.Set(q+"appProtocol", pm.AppProtocol)
			v.Set(q+"containerPortRange", pm.Range)
		}
		for j, e := range c.Env {
			q := p + "env." + itoa(j) + "."
			v.Set(q+"name", e.Name)
			v.Set(q+"type", e.Type)
			v.Set(q+"value", e.Value)
		}
		for j, ef := range c.EnvFiles {
			v.Set(p+"environmentFiles."+itoa(j)+".value", ef)
		}
		for j, u := range c.Ulimits {
			q := p + "ulimits." + itoa(j) + "."
			v.Set(q+"name", u.Name)
			v.Set(q+"softLimit", u.Soft)
			v.Set(q+"hardLimit", u.Hard)
		}
		for j, d := range c.DependsOn {
			q := p + "dependsOn." + itoa(j) + "."
			v.Set(q+"containerName", d.Container)
			v.Set(q+"condition", d.Condition)
		}
		for j, m := range c.MountPoints {
			q := p + "mountPoints." + itoa(j) + "."
			v.Set(q+"sourceVolume", m.SourceVolume)
			v.Set(q+"containerPath", m.ContainerPath)
			flag(q+"readOnly", m.ReadOnly)
		}
	}
	for i, vol := range f.Volumes {
		p := "volumes." + itoa(i) + "."
		v.Set(p+"name", vol.Name)
		v.Set(p+"type", vol.Type)
		set(p+"host.sourcePath", vol.SourcePath)
		set(p+"scope", vol.Scope)
		set(p+"driver", vol.Driver)
		flag(p+"autoprovision", vol.Autoprovision)
		set(p+"fileSystemId", vol.FileSystemID)
		set(p+"rootDirectory", vol.RootDirectory)
		set(p+"transitEncryption", vol.TransitEncryption)
		set(p+"accessPointId", vol.AccessPointID)
		set(p+"iam", vol.IAM)
	}
	return v
}
