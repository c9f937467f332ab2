package ecr

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
)

// Manifest media types ECR accepts.
const (
	MediaTypeDockerSchema1       = "application/vnd.docker.distribution.manifest.v1+json"
	MediaTypeDockerSchema1Signed = "application/vnd.docker.distribution.manifest.v1+prettyjws"
	MediaTypeDockerSchema2       = "application/vnd.docker.distribution.manifest.v2+json"
	MediaTypeDockerManifestList  = "application/vnd.docker.distribution.manifest.list.v2+json"
	MediaTypeOCIManifest         = "application/vnd.oci.image.manifest.v1+json"
	MediaTypeOCIIndex            = "application/vnd.oci.image.index.v1+json"
)

// Digest is the content address of a manifest: sha256 over its exact bytes,
// which is what ECR reports as imageDigest and what a registry client verifies.
func Digest(manifest []byte) string {
	sum := sha256.Sum256(manifest)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// ManifestError says why a manifest was refused. Field and Constraint fill
// ECR's "Invalid parameter at '<field>' failed to satisfy constraint:
// '<constraint>'" text; a registry maps it to MANIFEST_INVALID.
type ManifestError struct {
	Field      string
	Constraint string
}

func (e *ManifestError) Error() string {
	return "Invalid parameter at '" + e.Field + "' failed to satisfy constraint: '" + e.Constraint + "'"
}

type descriptor struct {
	MediaType string `json:"mediaType"`
	Digest    string `json:"digest"`
	Size      int64  `json:"size"`
}

type manifestDoc struct {
	SchemaVersion int             `json:"schemaVersion"`
	MediaType     string          `json:"mediaType"`
	ArtifactType  string          `json:"artifactType"`
	Config        *descriptor     `json:"config"`
	Layers        []descriptor    `json:"layers"`
	Manifests     []descriptor    `json:"manifests"`
	Subject       *descriptor     `json:"subject"`
	Signatures    json.RawMessage `json:"signatures"`
}

// parsedManifest is what ECR records about a manifest besides its bytes.
type parsedManifest struct {
	digest            string
	mediaType         string
	artifactMediaType string
	subjectDigest     string
	layerSize         int64    // sum of the layer sizes (images)
	children          []string // referenced manifests (indexes)
}

func (p *parsedManifest) isIndex() bool {
	return p.mediaType == MediaTypeDockerManifestList || p.mediaType == MediaTypeOCIIndex
}

// parseManifest reads a manifest the way ECR's PutImage does: JSON, a known
// media type (the parameter wins; else the manifest's mediaType field; else
// inferred from its shape, as OCI allows the field to be absent).
func parseManifest(b []byte, mediaTypeParam string) (*parsedManifest, error) {
	var doc manifestDoc
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, &ManifestError{"ImageManifest", "Invalid JSON syntax"}
	}
	mt := doc.MediaType
	if mediaTypeParam != "" {
		if mt != "" && mt != mediaTypeParam {
			return nil, &ManifestError{"imageManifestMediaType", "Manifest MediaType does not match the imageManifestMediaType"}
		}
		mt = mediaTypeParam
	}
	if mt == "" {
		switch {
		case doc.SchemaVersion == 1 && len(doc.Signatures) > 0:
			mt = MediaTypeDockerSchema1Signed
		case doc.SchemaVersion == 1:
			mt = MediaTypeDockerSchema1
		case doc.Manifests != nil:
			mt = MediaTypeOCIIndex
		case doc.Config != nil:
			mt = MediaTypeOCIManifest
		}
	}
	p := &parsedManifest{digest: Digest(b), mediaType: mt}
	if doc.Subject != nil {
		p.subjectDigest = doc.Subject.Digest
	}
	switch mt {
	case MediaTypeDockerSchema1, MediaTypeDockerSchema1Signed:
	case MediaTypeDockerSchema2, MediaTypeOCIManifest:
		if doc.Config == nil {
			return nil, &ManifestError{"ImageManifest", "Invalid manifest: missing config"}
		}
		p.artifactMediaType = doc.Config.MediaType
		if doc.ArtifactType != "" {
			p.artifactMediaType = doc.ArtifactType
		}
		for _, l := range doc.Layers {
			p.layerSize += l.Size
		}
	case MediaTypeDockerManifestList, MediaTypeOCIIndex:
		p.artifactMediaType = doc.ArtifactType
		for _, m := range doc.Manifests {
			p.children = append(p.children, m.Digest)
		}
	default:
		return nil, &ManifestError{"imageManifestMediaType", "Invalid media type: " + mt}
	}
	return p, nil
}
