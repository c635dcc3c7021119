package client_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/agentplane/agentplane/client"
	"github.com/agentplane/agentplane/internal/httpapi"
	"github.com/getkin/kin-openapi/openapi3"
)

// operation is one operation of the served document.
type operation struct {
	id, method, path string
}

// servedOperations lists every operation of /openapi.json as the server
// serves it.
func servedOperations(t *testing.T) []operation {
	t.Helper()
	b, err := httpapi.OpenAPIJSON()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(b)
	if err != nil {
		t.Fatal(err)
	}
	var ops []operation
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if op.OperationID == "" {
				t.Errorf("%s %s has no operationId", method, path)
			}
			ops = append(ops, operation{op.OperationID, method, path})
		}
	}
	sort.Slice(ops, func(i, j int) bool { return ops[i].id < ops[j].id })
	return ops
}

// goName is oapi-codegen's name for an operationId: list_agents → ListAgents.
func goName(operationID string) string {
	parts := strings.Split(operationID, "_")
	for i, p := range parts {
		parts[i] = strings.ToUpper(p[:1]) + p[1:]
	}
	return strings.Join(parts, "")
}

// TestEveryOperationIsCallable calls, for every operation of the served
// document, its generated method on *client.Client against a server that
// records the request, and checks the method and path. It fails when a
// route lacks a client method: run `make client` after changing
// openapi.yaml.
func TestEveryOperationIsCallable(t *testing.T) {
	t.Parallel()
	type request struct{ method, path, contentType string }
	got := make(chan request, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- request{r.Method, r.URL.EscapedPath(), r.Header.Get("Content-Type")}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	c := reflect.ValueOf(client.New(srv.URL, client.WithToken("ak_x.y")))

	ops := servedOperations(t)
	var callable []string
	for _, op := range ops {
		name := goName(op.id)
		// With a request body the WithBody form is called (any body
		// will do); the typed form must exist beside it.
		m := c.MethodByName(name + "WithBodyWithResponse")
		if !m.IsValid() {
			m = c.MethodByName(name + "WithResponse")
		} else if !c.MethodByName(name + "WithResponse").IsValid() {
			t.Errorf("%s (%s %s): *client.Client has no %sWithResponse taking a typed body", op.id, op.method, op.path, name)
		}
		if !m.IsValid() {
			t.Errorf("%s (%s %s): *client.Client has no %sWithResponse; run `make client`", op.id, op.method, op.path, name)
			continue
		}
		out := m.Call(arguments(t, m.Type()))
		if err, _ := out[1].Interface().(error); err != nil {
			t.Errorf("%s: %v", op.id, err)
			continue
		}
		req := <-got
		pattern := "^" + regexp.MustCompile(`\\\{[^}]+\\\}`).ReplaceAllString(regexp.QuoteMeta(op.path), `[^/]+`) + "$"
		if req.method != op.method || !regexp.MustCompile(pattern).MatchString(req.path) {
			t.Errorf("%s sent %s %s, want %s %s", op.id, req.method, req.path, op.method, op.path)
			continue
		}
		callable = append(callable, op.id)
	}
	if len(callable) != len(ops) || len(ops) == 0 {
		t.Errorf("%d of %d operations are callable", len(callable), len(ops))
	}
	short := 0
	for i := range c.NumMethod() {
		if n := c.Type().Method(i).Name; !strings.HasSuffix(n, "WithResponse") && n != "With" {
			short++
		}
	}
	t.Logf("%d of %d operations callable through *client.Client; %d short forms and iterators beside them", len(callable), len(ops), short)
}

// arguments makes a call's arguments: a context, then a placeholder of
// each path parameter's type, nil parameters and a JSON body; variadic
// request editors are left out.
func arguments(t *testing.T, m reflect.Type) []reflect.Value {
	args := []reflect.Value{reflect.ValueOf(context.Background())}
	for i := 1; i < m.NumIn(); i++ {
		in := m.In(i)
		if m.IsVariadic() && i == m.NumIn()-1 {
			break
		}
		if in == reflect.TypeFor[io.Reader]() { // after the content type
			args[len(args)-1] = reflect.ValueOf("application/json")
			args = append(args, reflect.ValueOf(strings.NewReader("{}")))
			continue
		}
		switch in.Kind() {
		case reflect.String:
			args = append(args, reflect.ValueOf("x1").Convert(in))
		case reflect.Int, reflect.Int32, reflect.Int64:
			args = append(args, reflect.ValueOf(1).Convert(in))
		case reflect.Array, reflect.Pointer:
			args = append(args, reflect.Zero(in))
		default:
			t.Fatalf("%s: no placeholder for a %s argument", m, in)
		}
	}
	return args
}
