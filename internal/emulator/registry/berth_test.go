package registry_test

import (
	"testing"

	"github.com/berthhq/berth/internal/emulator/emutest"
)

func TestMain(m *testing.M) { emutest.Main(m) }
