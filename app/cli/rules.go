package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/pouchmail/pouch/app/engine"
	"github.com/pouchmail/pouch/mailstore"
)

func init() {
	register(&command{name: "rule list", run: ruleList, usage: []string{"rule list [--json]"},
		help: "Lists the rules for incoming mail in the order they run, with their failures."})
	register(&command{name: "rule add", run: ruleAdd, usage: []string{
		"rule add --name NAME --if QUERY [--move-to PATH] [--mark-read] [--flag] [--trash] [--stop]"}, help: `
Adds a rule after the others. QUERY is in the search syntax (pouch help search); the rule
acts on each newly fetched message it matches, once that message is indexed: --move-to a
folder (a user folder or inbox), --mark-read, --flag (is:flagged finds it), --trash (the local Trash:
nothing is deleted on a server unless you empty the Trash, as always), --stop (no later rule
sees the message). A rule that cannot act (its folder deleted) leaves the message in the
Inbox and says so.`})
	register(&command{name: "rule remove", run: ruleRemove, usage: []string{"rule remove NAME"},
		help: "Removes a rule; what it did stays done."})
	register(&command{name: "rule run", run: ruleRun, usage: []string{"rule run [NAME] [--folder PATH] [--json]"}, help: `
Runs the rules (or the one named) now over the messages of a folder, or of the whole archive
(never the Trash, Outbox or Drafts). Exits 1 when a rule failed (its folder deleted, say); the
messages it matched stay where they were.`})
}

// ruleJSON is one element of `rule list --json`.
type ruleJSON struct {
	Name      string  `json:"name"`
	If        string  `json:"if"`
	MoveTo    *string `json:"move_to"`
	MarkRead  bool    `json:"mark_read"`
	Flag      bool    `json:"flag"`
	Trash     bool    `json:"trash"`
	Stop      bool    `json:"stop"`
	Failures  int     `json:"failures"`
	LastError *string `json:"last_error"`
}

func ruleList(ctx context.Context, env *Env, g *globals, args []string) error {
	fs := newFlagSet("rule list", g)
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs("rule list", pos); err != nil {
		return err
	}
	return withEngine(ctx, env, g, func(e *engine.Engine) error {
		rules, err := e.Rules(ctx)
		if err != nil {
			return err
		}
		if *asJSON {
			out := make([]ruleJSON, 0, len(rules))
			for _, r := range rules {
				j := ruleJSON{Name: r.Name, If: r.Query, MarkRead: r.MarkRead, Flag: r.Flag, Trash: r.Trash, Stop: r.Stop, Failures: r.Failures}
				if r.MoveTo != "" {
					f := string(r.MoveTo)
					j.MoveTo = &f
				}
				if r.LastError != "" {
					le := r.LastError
					j.LastError = &le
				}
				out = append(out, j)
			}
			return writeJSON(env.Stdout, out)
		}
		tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tIF\tTHEN\tFAILURES")
		for _, r := range rules {
			failures := "-"
			if r.Failures > 0 {
				failures = fmt.Sprintf("%d: %s", r.Failures, clip(oneLine(r.LastError), 60))
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.Name, clip(r.Query, 50), ruleActions(&r), failures)
		}
		return tw.Flush()
	})
}

// ruleActions says what a rule does, in the flags' words.
func ruleActions(r *mailstore.Rule) string {
	var a []string
	if r.MoveTo != "" {
		a = append(a, "move to "+string(r.MoveTo))
	}
	if r.MarkRead {
		a = append(a, "mark read")
	}
	if r.Flag {
		a = append(a, "flag")
	}
	if r.Trash {
		a = append(a, "trash")
	}
	if r.Stop {
		a = append(a, "stop")
	}
	return strings.Join(a, ", ")
}

func ruleAdd(ctx context.Context, env *Env, g *globals, args []string) error {
	fs := newFlagSet("rule add", g)
	name := fs.String("name", "", "the rule's name")
	cond := fs.String("if", "", "the condition, a search query")
	moveTo := fs.String("move-to", "", "move matching mail to this folder")
	markRead := fs.Bool("mark-read", false, "mark matching mail read")
	flagged := fs.Bool("flag", false, "flag matching mail (is:flagged finds it)")
	trash := fs.Bool("trash", false, "move matching mail to the Trash (local)")
	stop := fs.Bool("stop", false, "no later rule sees matching mail")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs("rule add", pos); err != nil {
		return err
	}
	r := mailstore.Rule{Name: *name, Query: *cond, MoveTo: mailstore.Folder(*moveTo), MarkRead: *markRead, Flag: *flagged, Trash: *trash, Stop: *stop}
	if err := r.Validate(); err != nil {
		return usagef("rule add: %v", err)
	}
	return withEngine(ctx, env, g, func(e *engine.Engine) error {
		if _, err := e.AddRule(ctx, r); err != nil {
			return ruleUsage("rule add", "", err)
		}
		fmt.Fprintf(env.Stdout, "Added rule %s: if %s then %s.\n", r.Name, r.Query, ruleActions(&r))
		return nil
	})
}

// ruleUsage turns the mistakes of a command line (a bad rule or query, an unknown folder,
// account or rule, a name in use) into one-line usage errors (exit 2).
func ruleUsage(cmd, rule string, err error) error {
	var (
		re *mailstore.RuleError
		qe *mailstore.QueryError
		fe *mailstore.FolderNameError
		nf *engine.NotFoundError
	)
	switch {
	case errors.Is(err, mailstore.ErrNotFound) && rule != "":
		return usagef("%s: no rule %q", cmd, rule)
	case errors.As(err, &re), errors.As(err, &qe), errors.As(err, &fe), errors.As(err, &nf),
		errors.Is(err, mailstore.ErrFolderNotFound):
		return usagef("%s: %s", cmd, oneLine(strings.TrimPrefix(err.Error(), "mailstore: ")))
	case errors.Is(err, mailstore.ErrExists):
		return usagef("%s: a rule of that name exists already", cmd)
	}
	return err
}

func ruleRemove(ctx context.Context, env *Env, g *globals, args []string) error {
	fs := newFlagSet("rule remove", g)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs("rule remove", pos, "NAME"); err != nil {
		return err
	}
	return withEngine(ctx, env, g, func(e *engine.Engine) error {
		if err := e.RemoveRule(ctx, pos[0]); err != nil {
			return ruleUsage("rule remove", pos[0], err)
		}
		fmt.Fprintf(env.Stdout, "Removed rule %s.\n", pos[0])
		return nil
	})
}

// rulesFailed is a run in which a rule failed for some messages (exit 1).
type rulesFailed struct{ n int }

func (e *rulesFailed) Error() string {
	return fmt.Sprintf("rules failed for %d message(s); they stay where they were", e.n)
}

func ruleRun(ctx context.Context, env *Env, g *globals, args []string) error {
	fs := newFlagSet("rule run", g)
	folder := fs.String("folder", "", "only the messages of this folder")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 1 {
		return usagef("rule run: expected at most one rule NAME, got %q", pos)
	}
	var scope engine.RunScope
	if len(pos) == 1 {
		scope.Rule = pos[0]
	}
	if *folder != "" {
		f, err := mailstore.ParseFolder(*folder)
		if err != nil {
			return usagef("rule run: %v", err)
		}
		scope.Folder = f
	}
	return withEngine(ctx, env, g, func(e *engine.Engine) error {
		res, err := e.RunRules(ctx, scope)
		if err != nil {
			return ruleUsage("rule run", scope.Rule, err)
		}
		if *asJSON {
			if res.Rules == nil {
				res.Rules = []mailstore.RuleCount{}
			}
			if err := writeJSON(env.Stdout, res); err != nil {
				return err
			}
		} else {
			for _, c := range res.Rules {
				fmt.Fprintf(env.Stdout, "%s: %d matched", c.Rule, c.Matched)
				if c.Failed > 0 || c.Error != "" {
					fmt.Fprintf(env.Stdout, ", failed for %d: %s", c.Failed, oneLine(c.Error))
				}
				fmt.Fprintln(env.Stdout)
			}
			fmt.Fprintf(env.Stdout, "%d message(s) examined, %d changed, %d left where they were because a rule failed\n",
				res.Examined, res.Changed, res.Failed)
		}
		broken := 0
		for _, c := range res.Rules {
			if c.Error != "" {
				broken++
				fmt.Fprintf(env.Stderr, "pouch: rule %s failed: %s\n", c.Rule, oneLine(c.Error))
			}
		}
		if res.Failed > 0 || broken > 0 {
			return &rulesFailed{n: res.Failed}
		}
		return nil
	})
}

// ruleFailures counts each rule's failures, so that a fetch can say which rules failed on its
// mail (fileNewMail).
func ruleFailures(ctx context.Context, e *engine.Engine) map[string]int {
	rules, err := e.Rules(ctx)
	if err != nil {
		return nil
	}
	m := make(map[string]int, len(rules))
	for _, r := range rules {
		m[r.Name] = r.Failures
	}
	return m
}

// fileNewMail runs the rules on the mail a fetch stored before the command ends: the fetch
// returns with its mail committed but not all of it indexed, and rules wait for the index (the
// window's poller catches it up on its own). It catches the index up only when messages wait
// for rules, and reports whether it did. Rules that failed since before (ruleFailures before
// the fetch) are warnings.
func fileNewMail(ctx context.Context, env *Env, e *engine.Engine, asJSON bool, before map[string]int) (bool, error) {
	st, err := e.RulesStatus(ctx)
	if err != nil {
		return false, err
	}
	caught := false
	if st.Pending > 0 {
		rules, err := e.Rules(ctx)
		if err != nil {
			return false, err
		}
		if len(rules) > 0 {
			p := newProgress(env, "indexing for the rules", asJSON)
			_, err = e.IndexBacklog(ctx, p.update)
			p.done()
			if err != nil {
				return true, err
			}
			caught = true
			if st, err = e.RulesStatus(ctx); err != nil {
				return true, err
			}
		}
	}
	if st.Err != nil {
		fmt.Fprintf(env.Stderr, "pouch: warning: the rules did not run on the new mail: %s\n", oneLine(st.Err.Error()))
	}
	for _, r := range st.Failing {
		if n := r.Failures - before[r.Name]; n > 0 {
			fmt.Fprintf(env.Stderr, "pouch: warning: rule %s failed for %d message(s), left in the Inbox: %s\n", r.Name, n, oneLine(r.LastError))
		}
	}
	return caught, nil
}
