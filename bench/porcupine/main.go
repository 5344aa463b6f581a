// Command porcupine-driver checks history files with Porcupine (Go) for bench:checker, one JSON line per file:
//
//	{"file": F, "ms": M, "ok": true | false | "unknown", "ops": N}
//
// ms covers only the CheckEvents / CheckOperations call, as Porcupine's own tests and benchmarks time it;
// parsing is outside. Formats (told by content, or -format):
//   - etcd:  Porcupine's Jepsen etcd logs (INFO jepsen.util - P :invoke :cas [1 2]), the cas register of
//     Porcupine's etcd test, checked as events in line order, unpartitioned;
//   - kv:    Porcupine's kv logs ({:process 0, :type :invoke, :f :get, :key "1", :value nil}), string
//     registers with get/put/append, events partitioned by key;
//   - jsonl: faultline's own histories (one op per line: invoke/ok/fail/info, read/write/cas, key),
//     paired and modelled exactly as faultline's checker does (src/checker/operations.ts,
//     src/model/cas-register.ts), operations partitioned by key.
//
// The parsers and models here are our own; only the Porcupine library is Porcupine's.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"hash/fnv"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/anishathalye/porcupine"
)

func main() {
	timeout := flag.Float64("timeout", 0, "give up on a file after this many seconds (verdict unknown); 0 = no limit")
	format := flag.String("format", "auto", "auto | etcd | kv | jsonl")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: porcupine-driver [-timeout S] [-format auto|etcd|kv|jsonl] FILE...")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(3)
	}
	limit := time.Duration(*timeout * float64(time.Second))
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	for _, file := range flag.Args() {
		row, err := checkFile(file, *format, limit)
		if err != nil {
			out.Flush()
			fmt.Fprintf(os.Stderr, "%s: %v\n", file, err)
			os.Exit(3)
		}
		if err := enc.Encode(row); err != nil {
			panic(err)
		}
		// One line per file as it is decided, so a caller sees progress on a long set.
		out.Flush()
	}
}

type row struct {
	File string      `json:"file"`
	Ms   float64     `json:"ms"`
	Ok   interface{} `json:"ok"`
	Ops  int         `json:"ops"`
}

func checkFile(file, format string, limit time.Duration) (row, error) {
	text, err := os.ReadFile(file)
	if err != nil {
		return row{}, err
	}
	if format == "auto" {
		format = detect(text)
	}
	var run func() porcupine.CheckResult
	var ops int
	switch format {
	case "etcd":
		events, n, err := parseEtcd(text)
		if err != nil {
			return row{}, err
		}
		ops = n
		run = checkEvents(etcdModel(), events, limit)
	case "kv":
		events, n, err := parseKv(text)
		if err != nil {
			return row{}, err
		}
		ops = n
		run = checkEvents(kvModel(), events, limit)
	case "jsonl":
		history, err := parseJsonl(text)
		if err != nil {
			return row{}, err
		}
		ops = len(history)
		run = checkOperations(registerModel(), history, limit)
	default:
		return row{}, fmt.Errorf("unknown format %q (etcd, kv or jsonl)", format)
	}
	t := time.Now()
	res := run()
	ms := float64(time.Since(t).Nanoseconds()) / 1e6
	r := row{File: file, Ms: float64(int64(ms*1000+0.5)) / 1000, Ops: ops}
	switch res {
	case porcupine.Ok:
		r.Ok = true
	case porcupine.Illegal:
		r.Ok = false
	default:
		r.Ok = "unknown"
	}
	return r, nil
}

// The plain calls when there is no limit (what Porcupine's tests run); the Timeout variants otherwise.
func checkEvents(m porcupine.Model, events []porcupine.Event, limit time.Duration) func() porcupine.CheckResult {
	return func() porcupine.CheckResult {
		if limit <= 0 {
			if porcupine.CheckEvents(m, events) {
				return porcupine.Ok
			}
			return porcupine.Illegal
		}
		return porcupine.CheckEventsTimeout(m, events, limit)
	}
}

func checkOperations(m porcupine.Model, history []porcupine.Operation, limit time.Duration) func() porcupine.CheckResult {
	return func() porcupine.CheckResult {
		if limit <= 0 {
			if porcupine.CheckOperations(m, history) {
				return porcupine.Ok
			}
			return porcupine.Illegal
		}
		return porcupine.CheckOperationsTimeout(m, history, limit)
	}
}

func detect(text []byte) string {
	first := bytes.TrimSpace(firstLine(text))
	switch {
	case bytes.HasPrefix(first, []byte("INFO")):
		return "etcd"
	case bytes.HasPrefix(first, []byte("{:")):
		return "kv"
	case bytes.HasPrefix(first, []byte("{")):
		return "jsonl"
	case len(first) == 0:
		return "etcd" // an empty file (etcd_095): no ops, linearizable
	}
	return "unknown"
}

func firstLine(text []byte) []byte {
	for _, l := range bytes.Split(text, []byte("\n")) {
		if len(bytes.TrimSpace(l)) > 0 {
			return l
		}
	}
	return nil
}

func lines(text []byte) []string {
	s := strings.Split(string(text), "\n")
	out := s[:0]
	for _, l := range s {
		if strings.TrimSpace(l) != "" {
			out = append(out, strings.TrimRight(l, "\r"))
		}
	}
	return out
}

// ---- Porcupine's Jepsen etcd logs -------------------------------------------------------------------

const etcdNil = -1000000 // the register before any write; never a written value (they are 0-4)

type etcdOp uint8

const (
	etcdRead etcdOp = iota
	etcdWrite
	etcdCas
)

type etcdInput struct {
	op       etcdOp
	from, to int // write: from is the value
}

type etcdOutput struct {
	ok      bool // cas: it succeeded
	exists  bool // read: a value, not nil
	value   int
	unknown bool // timed out: any outcome
}

// The register of Porcupine's etcd test: a timed-out read is legal anywhere; a timed-out cas takes effect
// when it matches (and is legal either way); a write always takes effect.
func etcdModel() porcupine.Model {
	return porcupine.Model{
		Init: func() interface{} { return etcdNil },
		Step: func(state, input, output interface{}) (bool, interface{}) {
			st, in, out := state.(int), input.(etcdInput), output.(etcdOutput)
			switch in.op {
			case etcdRead:
				legal := out.unknown || (!out.exists && st == etcdNil) || (out.exists && st == out.value)
				return legal, st
			case etcdWrite:
				return true, in.from
			default:
				legal := out.unknown || (in.from == st) == out.ok
				if in.from == st {
					return legal, in.to
				}
				return legal, st
			}
		},
		// State hashing, as Porcupine's README and its own tests give their models: without it the cache
		// tells states of one op set apart only by Equal, one by one.
		Hash:              func(state interface{}) uint64 { return uint64(state.(int)) },
		DescribeOperation: func(input, output interface{}) string { return fmt.Sprintf("%v -> %v", input, output) },
	}
}

// The state hash Porcupine's own kv test uses (FNV-1a, 64 bits), for every string-valued state here.
func hashString(state interface{}) uint64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(state.(string)))
	return h.Sum64()
}

var etcdLine = regexp.MustCompile(`^INFO\s+jepsen\.util\s+-\s+(\d+)\s+:(invoke|ok|fail|info)\s+:(read|write|cas)\s+(.*?)\s*$`)
var casArgs = regexp.MustCompile(`^\[(\d+)\s+(\d+)\]$`)

// Line order is real-time order; a process has one op open at a time. `:fail :cas` observed a mismatch
// (a cas that returned false); `:fail :read :timed-out` is an unknown read; `:info` (timed out) is left
// open, and every op still open after the last line returns "unknown" at the end.
func parseEtcd(text []byte) ([]porcupine.Event, int, error) {
	var events []porcupine.Event
	open := map[int]int{} // process -> event id
	id := 0
	for n, line := range lines(text) {
		m := etcdLine.FindStringSubmatch(line)
		if m == nil {
			return nil, 0, fmt.Errorf("line %d: not a Jepsen etcd log line: %q", n+1, line)
		}
		proc, _ := strconv.Atoi(m[1])
		typ, f, val := m[2], m[3], m[4]
		if typ == "invoke" {
			if _, busy := open[proc]; busy {
				return nil, 0, fmt.Errorf("line %d: process %d invokes while an op is open", n+1, proc)
			}
			in := etcdInput{}
			switch f {
			case "read":
				in.op = etcdRead
			case "write":
				in.op = etcdWrite
				v, err := strconv.Atoi(val)
				if err != nil {
					return nil, 0, fmt.Errorf("line %d: write value %q", n+1, val)
				}
				in.from = v
			case "cas":
				a := casArgs.FindStringSubmatch(val)
				if a == nil {
					return nil, 0, fmt.Errorf("line %d: cas value %q", n+1, val)
				}
				in.op = etcdCas
				in.from, _ = strconv.Atoi(a[1])
				in.to, _ = strconv.Atoi(a[2])
			}
			events = append(events, porcupine.Event{ClientId: proc, Kind: porcupine.CallEvent, Value: in, Id: id})
			open[proc] = id
			id++
			continue
		}
		if typ == "info" {
			// Unknown outcome: the op stays open until the end (Jepsen gives the process a new id).
			if _, busy := open[proc]; !busy {
				return nil, 0, fmt.Errorf("line %d: :info for process %d, which has no open op", n+1, proc)
			}
			continue
		}
		call, busy := open[proc]
		if !busy {
			return nil, 0, fmt.Errorf("line %d: completion for process %d, which has no open op", n+1, proc)
		}
		delete(open, proc)
		out := etcdOutput{}
		switch {
		case val == ":timed-out":
			out.unknown = true
		case typ == "fail" && f != "cas":
			return nil, 0, fmt.Errorf("line %d: unexpected :fail :%s %s", n+1, f, val)
		case f == "read" && val == "nil":
		case f == "read":
			v, err := strconv.Atoi(val)
			if err != nil {
				return nil, 0, fmt.Errorf("line %d: read value %q", n+1, val)
			}
			out.exists, out.value = true, v
		case f == "cas":
			out.ok = typ == "ok"
		}
		events = append(events, porcupine.Event{ClientId: proc, Kind: porcupine.ReturnEvent, Value: out, Id: call})
	}
	for _, proc := range sortedKeys(open) {
		events = append(events, porcupine.Event{ClientId: proc, Kind: porcupine.ReturnEvent, Value: etcdOutput{unknown: true}, Id: open[proc]})
	}
	return events, id, nil
}

// ---- Porcupine's kv logs ----------------------------------------------------------------------------

type kvOp uint8

const (
	kvGet kvOp = iota
	kvPut
	kvAppend
)

type kvInput struct {
	op         kvOp
	key, value string
}

type kvOutput struct {
	value   string // get: what it read
	unknown bool   // never completed: legal anywhere
}

// The partitions in sorted key order (a map's order would vary between runs).
func byKeyOrder[T any](byKey map[string][]T) [][]T {
	keys := make([]string, 0, len(byKey))
	for k := range byKey {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([][]T, len(keys))
	for i, k := range keys {
		out[i] = byKey[k]
	}
	return out
}

func kvModel() porcupine.Model {
	return porcupine.Model{
		// One partition per key.
		PartitionEvent: func(history []porcupine.Event) [][]porcupine.Event {
			byKey := map[string][]porcupine.Event{}
			keyOf := map[int]string{}
			for _, e := range history {
				if e.Kind == porcupine.CallEvent {
					keyOf[e.Id] = e.Value.(kvInput).key
				}
				k := keyOf[e.Id]
				byKey[k] = append(byKey[k], e)
			}
			return byKeyOrder(byKey)
		},
		Init: func() interface{} { return "" },
		Step: func(state, input, output interface{}) (bool, interface{}) {
			st, in, out := state.(string), input.(kvInput), output.(kvOutput)
			switch in.op {
			case kvGet:
				return out.unknown || out.value == st, st
			case kvPut:
				return true, in.value
			default:
				return true, st + in.value
			}
		},
		Hash: hashString,
	}
}

var kvLine = regexp.MustCompile(`^\{:process (\d+), :type :(invoke|ok), :f :(get|put|append), :key "([^"]*)", :value (nil|"[^"]*")\}$`)

// Line order is real-time order; a process's next :ok closes its open op. No op is left open in
// Porcupine's files; one that were would be an unknown outcome here (Porcupine's test parser gives it an
// empty output instead).
func parseKv(text []byte) ([]porcupine.Event, int, error) {
	var events []porcupine.Event
	open := map[int]int{}
	id := 0
	for n, line := range lines(text) {
		m := kvLine.FindStringSubmatch(line)
		if m == nil {
			return nil, 0, fmt.Errorf("line %d: not a kv op map: %q", n+1, line)
		}
		proc, _ := strconv.Atoi(m[1])
		typ, f, key := m[2], m[3], m[4]
		value := strings.Trim(m[5], `"`)
		if typ == "invoke" {
			if _, busy := open[proc]; busy {
				return nil, 0, fmt.Errorf("line %d: process %d invokes while an op is open", n+1, proc)
			}
			in := kvInput{key: key}
			switch f {
			case "get":
				in.op = kvGet
			case "put":
				in.op, in.value = kvPut, value
			case "append":
				in.op, in.value = kvAppend, value
			}
			events = append(events, porcupine.Event{ClientId: proc, Kind: porcupine.CallEvent, Value: in, Id: id})
			open[proc] = id
			id++
			continue
		}
		call, busy := open[proc]
		if !busy {
			return nil, 0, fmt.Errorf("line %d: :ok for process %d, which has no open op", n+1, proc)
		}
		delete(open, proc)
		events = append(events, porcupine.Event{ClientId: proc, Kind: porcupine.ReturnEvent, Value: kvOutput{value: value}, Id: call})
	}
	for _, proc := range sortedKeys(open) {
		events = append(events, porcupine.Event{ClientId: proc, Kind: porcupine.ReturnEvent, Value: kvOutput{unknown: true}, Id: open[proc]})
	}
	return events, id, nil
}

// ---- faultline JSONL histories ----------------------------------------------------------------------

type jsonOp struct {
	Process   json.RawMessage `json:"process"`
	Type      string          `json:"type"`
	F         string          `json:"f"`
	Key       *string         `json:"key"`
	Value     json.RawMessage `json:"value"`
	Succeeded *bool           `json:"succeeded"`
}

type regOp uint8

const (
	regRead regOp = iota
	regWrite
	regCas
)

// Values are canonical JSON text (as faultline keeps them), so register equality is string equality.
type regInput struct {
	op       regOp
	key      string
	value    string // write
	from, to string // cas
}

type regOutput struct {
	known bool   // false: info, or still open at the end (unknown outcome)
	value string // read: what it read
	ok    bool   // cas: succeeded
}

// faultline's cas-register per key, initially null; a null read reads the absent value (null).
func registerModel() porcupine.Model {
	return porcupine.Model{
		Partition: func(history []porcupine.Operation) [][]porcupine.Operation {
			byKey := map[string][]porcupine.Operation{}
			for _, o := range history {
				k := o.Input.(regInput).key
				byKey[k] = append(byKey[k], o)
			}
			return byKeyOrder(byKey)
		},
		Init: func() interface{} { return "null" },
		Step: func(state, input, output interface{}) (bool, interface{}) {
			st, in, out := state.(string), input.(regInput), output.(regOutput)
			switch in.op {
			case regRead:
				return !out.known || out.value == st, st
			case regWrite:
				return true, in.value
			default:
				switch {
				case !out.known: // takes effect iff it matches; "never took effect" is not linearizing it before the end
					if st == in.from {
						return true, in.to
					}
					return true, st
				case out.ok:
					return st == in.from, in.to
				default:
					return st != in.from, st
				}
			}
		},
		Hash: hashString,
	}
}

// Pairs a faultline history as src/checker/operations.ts does: positions (line order) are the times; ok
// completes the process's open op; fail drops it; info leaves its outcome unknown and its return after
// every position; an op still open at the end likewise; nemesis ops are skipped.
func parseJsonl(text []byte) ([]porcupine.Operation, error) {
	type openOp struct {
		slot int
		f    string
		at   int
	}
	var ops []*porcupine.Operation // by invocation order; nil = failed
	open := map[string]openOp{}
	clients := map[string]int{} // process -> dense client id (Porcupine's visualizer wants them)
	rows := lines(text)
	end := int64(len(rows)) // unknown returns go after every position, each at its own time
	for i, line := range rows {
		var o jsonOp
		if err := json.Unmarshal([]byte(line), &o); err != nil {
			return nil, fmt.Errorf("line %d: %v", i+1, err)
		}
		proc := string(o.Process)
		if proc == `"nemesis"` {
			continue
		}
		if o.Type == "invoke" {
			if prev, busy := open[proc]; busy {
				return nil, fmt.Errorf("line %d: process %s invokes while its %s from line %d is open", i+1, proc, prev.f, prev.at+1)
			}
			in := regInput{}
			if o.Key != nil {
				in.key = *o.Key
			}
			switch o.F {
			case "read":
				in.op = regRead
			case "write":
				in.op, in.value = regWrite, canonical(o.Value)
			case "cas":
				var pair []json.RawMessage
				if err := json.Unmarshal(o.Value, &pair); err != nil || len(pair) != 2 {
					return nil, fmt.Errorf("line %d: cas value must be [expected, new]", i+1)
				}
				in.op, in.from, in.to = regCas, canonical(pair[0]), canonical(pair[1])
			default:
				return nil, fmt.Errorf("line %d: the register model knows read, write, cas, not %q", i+1, o.F)
			}
			client, seen := clients[proc]
			if !seen {
				client = len(clients)
				clients[proc] = client
			}
			open[proc] = openOp{slot: len(ops), f: o.F, at: i}
			ops = append(ops, &porcupine.Operation{ClientId: client, Input: in, Call: int64(i), Output: regOutput{}, Return: -1})
			continue
		}
		prev, busy := open[proc]
		if !busy {
			return nil, fmt.Errorf("line %d: %s %s for process %s, which has no open invocation", i+1, o.Type, o.F, proc)
		}
		if prev.f != o.F {
			return nil, fmt.Errorf("line %d: %s %s completes process %s's %s", i+1, o.Type, o.F, proc, prev.f)
		}
		delete(open, proc)
		op := ops[prev.slot]
		switch o.Type {
		case "ok":
			out := regOutput{known: true}
			switch o.F {
			case "read":
				out.value = canonical(o.Value)
			case "cas":
				out.ok = o.Succeeded == nil || *o.Succeeded
			}
			op.Output, op.Return = out, int64(i)
		case "info":
			op.Return = end
			end++
		case "fail":
			ops[prev.slot] = nil
		default:
			return nil, fmt.Errorf("line %d: type %q", i+1, o.Type)
		}
	}
	var history []porcupine.Operation
	for _, op := range ops {
		if op == nil {
			continue
		}
		if op.Return < 0 { // still open at the end
			op.Return = end
			end++
		}
		history = append(history, *op)
	}
	return history, nil
}

// Canonical text of a JSON value: equal values give equal text (object keys sorted, numbers as float64),
// absent and null alike give "null".
func canonical(raw json.RawMessage) string {
	if len(raw) == 0 {
		return "null"
	}
	var v interface{}
	if err := json.Unmarshal(raw, &v); err != nil {
		return string(raw)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func sortedKeys(m map[int]int) []int {
	keys := make([]int, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	return keys
}
