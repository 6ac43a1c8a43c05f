package mimetext_test

import (
	"fmt"
	"log"

	"github.com/pouchmail/pouch/mailstore/mimetext"
)

func ExampleParseBody() {
	raw := []byte("Content-Type: text/html; charset=utf-8\r\n\r\n" +
		"<p>Hello&nbsp;<b>world</b></p><script>track()</script><p>Bye<br>now</p>")
	b, err := mimetext.ParseBody(raw)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(b.HTML)
	fmt.Println(b.Text)
	// Output:
	// true
	// Hello world
	//
	// Bye
	// now
}
