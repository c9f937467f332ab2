package web_test

import (
	"testing"

	"github.com/berthhq/berth/web/webtest"
)

func TestMain(m *testing.M) { webtest.Main(m) }
