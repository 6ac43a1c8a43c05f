package compose_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/pouchmail/pouch/app/compose"
)

func Example() {
	from, _ := compose.ParseAddress("from", "Zoë Martin <zoe@example.org>")
	to, _ := compose.ParseAddressList("to", "bob@example.net, Ann <ann@example.com>")
	m := &compose.Message{
		From:      from,
		To:        to,
		Subject:   "Café tomorrow?",
		Text:      compose.WithSignature("Shall we meet at ten?", "Zoë"),
		Date:      time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC),
		MessageID: "fixed.1@example.org",
	}
	raw, err := m.Build()
	if err != nil {
		panic(err)
	}
	sender, rcpts := m.Envelope()
	fmt.Println(sender, rcpts)
	fmt.Print(strings.ReplaceAll(string(raw), "\r\n", "\n"))
	// Output:
	// zoe@example.org [bob@example.net ann@example.com]
	// Mime-Version: 1.0
	// Date: Mon, 02 Mar 2026 10:00:00 +0000
	// From: =?utf-8?q?Zo=C3=AB_Martin?= <zoe@example.org>
	// To: <bob@example.net>, "Ann" <ann@example.com>
	// Subject: =?utf-8?q?Caf=C3=A9_tomorrow=3F?=
	// Message-Id: <fixed.1@example.org>
	// Content-Transfer-Encoding: quoted-printable
	// Content-Type: text/plain; charset=utf-8
	//
	// Shall we meet at ten?
	//
	// --=20
	// Zo=C3=AB
}
