# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# shellcheck shell=bash
#
# Every place that names the verbs and their options says the same as the
# option tables in user/cmd_*.c: `portxdp --help`, each verb's --help (its
# usage lines and its option lines), the man page's SYNOPSIS and GLOBAL
# OPTIONS, the bash completion and the README's command table. The tables
# themselves come out of the hidden `portxdp help-dump`. Each source is
# reduced to sorted "VERB<TAB>--option" pairs (and "VERB<TAB>" for the
# verb itself) and compared with the tables' pairs; a difference is shown
# as diff lines: '<' only in the tables, '>' only in the document.
# No root, no network: only reading.
. "$(dirname "$0")/../lib/e2e.sh"

MAN=doc/portxdp.8
COMPLETION=contrib/bash-completion/portxdp
README=README.md

# "VERB<TAB>--a --b=X" lines -> sorted unique pairs.
pairs() {
	awk -F'\t' '{
		print $1 "\t"
		n = split($2, a, " ")
		for (i = 1; i <= n; i++) {
			o = a[i]; sub(/\[?=.*/, "", o)
			if (o ~ /^--/) print $1 "\t" o
		}
	}' | sort -u
}

# The tables, with or without the global options.
table_pairs() { "$PORTXDP" help-dump | pairs | grep -v '^(global)'; }
global_pairs() { "$PORTXDP" help-dump | pairs | grep '^(global)'; }

# Compare: what the tables say, what a document says.
same() { # what tables-pairs doc-pairs
	local d
	d=$(diff <(printf '%s\n' "$2") <(printf '%s\n' "$3")) ||
		fail "$1 disagrees with the option tables:
$d"
}

# The options named on one line: "--a --b".
opts_of() { grep -o -- '--[a-z][a-z0-9-]*' <<<"$1" | tr '\n' ' '; }

test_main_help_lists_every_verb_and_option() {
	local out
	out=$("$PORTXDP" --help | awk '
		/^Commands:/ { on = 1; next }
		on && /^$/ { exit }
		on && /^  [a-z]/ {
			v = $1; if (v == "lab") v = v " " $2
			line = $0; sub(/^  [a-z]+( (up|probe|down))? */, "", line)
			printf "%s\t", v
			while (match(line, /--[a-z][a-z0-9-]*/)) {
				printf "%s ", substr(line, RSTART, RLENGTH)
				line = substr(line, RSTART + RLENGTH)
			}
			print ""
		}' | pairs)
	same "portxdp --help" "$(table_pairs)" "$out"
	out=$("$PORTXDP" --help | awk '/^Global options/ { on = 1; next }
		on && /^$/ { exit } on { print }' |
		while read -r line; do
			printf '(global)\t%s\n' "$(opts_of "${line%%  *}")"
		done | pairs)
	same "portxdp --help's global options" "$(global_pairs)" "$out"
}

# A verb's --help: its usage lines, and its option lines apart, so that an
# option missing from one is not hidden by the other. lab's sub-commands
# share one help: its usage lines name them, and each option line belongs
# to the paragraph 'lab SUB' above it.
verb_help() { # usage|options verb
	"$PORTXDP" "$2" --help | awk -v want="$1" -v verb="$2" '
		/^(usage:|      ) portxdp / {
			sub(/^(usage:|      ) portxdp /, "")
			v = $1; if (v == "lab") v = v " " $2
			if (want == "usage") {
				printf "%s\t", v
				line = $0
				while (match(line, /--[a-z][a-z0-9-]*/)) {
					printf "%s ", substr(line, RSTART, RLENGTH)
					line = substr(line, RSTART + RLENGTH)
				}
				print ""
			}
			next
		}
		/^'\''lab [a-z]+'\''/ { split($0, w, "'\''"); cur = w[2] }
		want == "options" && /^  (-[a-z0-9], |    )--[a-z]/ {
			o = $0; sub(/^  (-[a-z0-9], |    )/, "", o)
			sub(/[ [=].*/, "", o)
			if (o != "--help") print (cur != "" ? cur : verb) "\t" o
			else print verb "\t"
		}'
}

test_each_verbs_help_matches_its_table() {
	local usage="" options="" v
	for v in $("$PORTXDP" help-dump | awk -F'\t' 'NR > 1 { print $1 }' |
		awk '{ print $1 }' | sort -u); do
		usage+=$(verb_help usage "$v")$'\n'
		options+=$(verb_help options "$v")$'\n'
	done
	same "the usage lines of 'portxdp VERB --help'" "$(table_pairs)" \
		"$(printf '%s' "$usage" | grep . | pairs)"
	# lab lists no -h line per sub-command: compare the options alone.
	same "the option lines of 'portxdp VERB --help'" \
		"$(table_pairs | awk -F'\t' '$2 != ""')" \
		"$(printf '%s' "$options" | grep . | pairs | awk -F'\t' '$2 != ""')"
}

# The SYNOPSIS: one entry per '.B portxdp VERB' line, up to the next.
test_man_synopsis_matches() {
	local out
	out=$(awk '
		/^\.SH SYNOPSIS/ { on = 1; next }
		/^\.SH/ { on = 0 }
		!on { next }
		/^\.B portxdp [a-z]/ {
			v = $3; if (v == "lab") v = v " " $4
			print v "\t"
		}
		/^\.B portxdp$/ { v = "" }
		v != "" {
			line = $0
			while (match(line, /\\-\\-[a-z]([a-z0-9]|\\-)*/)) {
				o = substr(line, RSTART, RLENGTH); gsub(/\\/, "", o)
				print v "\t" o
				line = substr(line, RSTART + RLENGTH)
			}
		}' "$MAN" | pairs)
	same "$MAN's SYNOPSIS" "$(table_pairs)" "$out"
	out=$(awk '/^\.SH GLOBAL OPTIONS/ { on = 1; next } /^\.SH/ { on = 0 }
		on && /^\.(B|BI|BR) \\-/ { print }' "$MAN" |
		grep -oE -- '\\-\\-[a-z]([a-z0-9]|\\-)*' | tr -d '\\' |
		sed 's/^/(global)\t/' | { printf '(global)\t\n'; cat; } | pairs)
	same "$MAN's GLOBAL OPTIONS" "$(global_pairs)" "$out"
}

# What the completion offers after 'portxdp VERB --' (less the global
# options it adds everywhere), and as verbs and lab sub-commands.
test_completion_matches() {
	local out
	out=$(bash -c '
		. "$1"
		c() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=()
		      _portxdp; printf "%s\n" "${COMPREPLY[@]}"; }
		for v in $(c portxdp ""); do
			if [ "$v" = lab ]; then
				for s in $(c portxdp lab ""); do
					printf "lab %s\t%s\n" "$s" "$(c portxdp lab "$s" -- | tr "\n" " ")"
				done
			else
				printf "%s\t%s\n" "$v" "$(c portxdp "$v" -- | tr "\n" " ")"
			fi
		done
		printf "(global)\t%s\n" "$(c portxdp -- | tr "\n" " ")"
		' _ "$COMPLETION")
	same "$COMPLETION" "$(table_pairs)" \
		"$(grep -v '^(global)' <<<"$out" | pairs | grep -Pv '\t--(help|netns)$')"
	same "$COMPLETION's global options" "$(global_pairs)" \
		"$(grep '^(global)' <<<"$out" | pairs)"
	# The word after an option is its value exactly when the table says
	# the option takes one (stats -p is --prometheus, not --policy).
	out=$("$PORTXDP" help-dump | awk -F'\t' 'NR > 1 {
			split($1, v, " "); n = split($2 " " $3, a, " ")
			for (i = 1; i <= n; i++) print v[1], a[i]
		}' | bash -c '. "$1"
		while read -r verb opt; do
			want=no; [[ $opt == *=* && $opt != *"[="* ]] && want=yes
			got=no; _portxdp_takes_value "$verb" "${opt%%[[=]*}" && got=yes
			[ $got = $want ] || echo "$verb ${opt%%[[=]*}: value $got, table says $want"
		done' _ "$COMPLETION")
	[ -z "$out" ] || fail "$COMPLETION: $out"
}

# The README's table under "## Commands": one row per command form.
test_readme_command_table_matches() {
	local out
	out=$(awk '/^## Commands/ { on = 1; next } /^##/ { on = 0 }
		on && /^\| `portxdp / { print }' "$README" |
		sed -e 's/^| `\([^`]*\)`.*/\1/' -e 's/\\|/|/g' |
		while read -r _ v rest; do
			[ "$v" = lab ] && { read -r s rest <<<"$rest"; v="lab $s"; }
			printf '%s\t%s\n' "$v" "$(opts_of "$rest")"
		done | pairs)
	same "$README's command table" "$(table_pairs)" "$out"
}

# The man page's prefix examples, as portxdp really answers them:
# "portxdp X is Y" runs Y; "portxdp X says TEXT" prints TEXT.
test_man_prefix_examples_are_true() {
	local text n=0 typed verb said
	command -v man >/dev/null || skip "no man(1)"
	text=$(MANWIDTH=1000 man -l "$MAN" 2>/dev/null | grep 'Commands may be shortened')
	[ -n "$text" ] || fail "no prefix paragraph in $MAN"
	while read -r typed verb; do
		"$PORTXDP" "$typed" --help | head -1 | grep -q "^usage: portxdp $verb " ||
			fail "$MAN: 'portxdp $typed' is not $verb"
		n=$((n + 1))
	done < <(grep -oE 'portxdp [a-z]+ +is +[a-z]+' <<<"$text" |
		sed -E 's/portxdp ([a-z]+) +is +([a-z]+)/\1 \2/')
	while IFS='|' read -r typed said; do
		"$PORTXDP" "$typed" 2>&1 | grep -qF "$said" ||
			fail "$MAN: 'portxdp $typed' does not say '$said'"
		n=$((n + 1))
	done < <(grep -oE 'portxdp [a-z]+ +says +[^.]*' <<<"$text" |
		sed -E 's/portxdp ([a-z]+) +says +/\1|/')
	[ $n -ge 2 ] || fail "$MAN: no examples found in: $text"
}

# The SSH guard protects the session's own port (SSH_CONNECTION's server
# port), and the man page says so, not a fixed 22/tcp.
test_man_ssh_guard_is_the_sessions_port() {
	local entry dir
	entry=$(awk '/^\.SH ENVIRONMENT/ { on = 1 } /^\.SH EXIT/ { on = 0 }
		on' "$MAN" | awk '/^\.B SSH_CONNECTION/ { on = 1; next }
		/^\.TP|^\.SH/ { on = 0 } on' | tr '\n' ' ')
	grep -q 'server port' <<<"$entry" || fail "$MAN's SSH_CONNECTION: $entry"
	! grep -q 'refuse to close 22/tcp' <<<"$entry" ||
		fail "$MAN's SSH_CONNECTION names 22/tcp: $entry"
	# What the entry says, as check shows it: the session's port 2222.
	dir=$(mktemp -d)
	on_cleanup "rm -rf '$dir'"
	printf 'default closed\nopen ssh ephemeral bootpc\n' >"$dir/p.policy"
	SSH_CONNECTION="198.51.100.9 50000 198.51.100.2 2222" \
		"$PORTXDP" check "$dir/p.policy" 2>&1 | grep -q '2222/tcp' ||
		fail "check does not warn about the session's port 2222"
}

# Every README link to a section of its own, and every 'see "TITLE"',
# names a heading that exists (a title may be a heading's beginning).
test_readme_section_references_resolve() {
	local anchors titles ref bad=""
	# "Changes on probation" names "## Changes on probation: --confirm"
	titles=$(grep -E '^#{1,4} ' "$README" | sed -E 's/^#+ //')
	anchors=$(grep -E '^#{1,4} ' "$README" | sed -E 's/^#+ //' |
		tr 'A-Z' 'a-z' | sed -E 's/[^a-z0-9 -]//g; s/ /-/g')
	while read -r ref; do
		[ -z "$ref" ] && continue
		grep -qx -- "$ref" <<<"$anchors" || bad+=" #$ref"
	done < <(grep -oE '\]\(#[^)]+\)' "$README" | sed -E 's/^\]\(#//; s/\)$//')
	while read -r ref; do
		[ -z "$ref" ] && continue
		awk -v r="$ref" 'index($0, r) == 1 { f = 1 } END { exit !f }' \
			<<<"$titles" || bad+=" \"$ref\""
	done < <(grep -oE 'see "[^"]+"' "$README" | sed -E 's/^see "//; s/"$//')
	[ -z "$bad" ] || fail "$README refers to sections that do not exist:$bad"
}

run_tests
