package notebook

import (
	"encoding/base64"
	"strings"
	"testing"
)

func TestImageHTML(t *testing.T) {
	png := []byte{0x89, 'P', 'N', 'G', 0, 1, 2}
	got := ImageHTML(png, `digits "0" & <1>`)
	for _, want := range []string{
		`alt="digits &#34;0&#34; &amp; &lt;1&gt;"`,
		"src=\"data:image/png;base64," + base64.StdEncoding.EncodeToString(png) + "\"",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("ImageHTML = %s, lacks %s", got, want)
		}
	}
}
