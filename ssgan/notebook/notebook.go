// Package notebook holds the little the notebooks share beyond the ssgan package: showing an image in a
// GoNB cell the accessible way, a live panel for a training run (Panel), and training that Kernel →
// Interrupt stops cleanly (Interruptible).
package notebook

import (
	"encoding/base64"
	"fmt"
	"html"

	"github.com/janpfeifer/gonb/gonbui"
)

// Show displays PNG bytes in the running cell with a description as alt text (read aloud by screen
// readers, kept in the notebook's HTML copy), then waits until GoNB has the picture, so it is not lost
// when the cell's program ends right after. Outside a notebook it does nothing.
func Show(png []byte, alt string) {
	gonbui.DisplayHTML(ImageHTML(png, alt))
	gonbui.Sync()
}

// ImageHTML is the <img> element Show displays: the PNG inlined as a data URL, alt text escaped.
func ImageHTML(png []byte, alt string) string {
	return fmt.Sprintf(`<img alt="%s" src="data:image/png;base64,%s">`, html.EscapeString(alt), base64.StdEncoding.EncodeToString(png))
}
