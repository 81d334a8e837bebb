#!/usr/bin/env bash
# Offline checks of the Helm chart, as CI runs them:
#
#   1. helm lint --strict, with each helm/telltale/ci/*-values.yaml;
#   2. helm template --kube-version $KUBE_VERSION | kubeconform -strict against the Kubernetes
#      JSON schemas shipped in the PyPI package kubernetes-validate (no network at validation time);
#   3. chart policy on the rendered objects (non-root, read-only root FS, dropped capabilities,
#      /tmp emptyDir, probes on /health/*, hook Jobs, HPA/PDB wiring, exactly two Ingresses with
#      their exact routes (the app's host; /o, /c, /d on the tracking host), NetworkPolicies that
#      follow who calls whom, the identity variables and the sender's credential digest, no
#      INTERNAL_API_TOKEN, Secret keys that exist, Kafka TLS/SASL variables and their mounted
#      Secrets, the Strimzi topic catalog, the metrics port on every Deployment and Service with
#      its ServiceMonitor, never behind an Ingress, and the Grafana dashboard);
#   4. values.schema.json (and the chart's cross-field check) rejects every file in
#      helm/fixtures/invalid-values/ with the message its `# expect:` lines name;
#   5. config contract: the environment each Deployment and migration Job gets (ConfigMap, Secret,
#      inline env) passes that service's own start-up validation (services/<name>/dist/src/
#      <name>.config.js, built here with `tsc -b`, and the Kafka TLS/SASL cross-checks), so the
#      chart and the code cannot drift apart;
#   5b. ingress routes: every path of every rendered Ingress, matched against the route table of
#      the service behind it (its compiled controllers' @Public/@Internal/@Members metadata),
#      reaches no internal route, only recipients' routes on the tracking host and only public
#      routes on any service but the app. (The open pixel /o/... is answered ahead of Nest, so
#      /o reaches no controller route.)
#
# Tools are installed into <repo>/.tools when missing: helm and kubeconform with `go install`,
# kubernetes-validate with pip. Usage: bash deploy/helm-check.sh
set -Eeuo pipefail

readonly HELM_VERSION=v3.22.0
readonly KUBECONFORM_VERSION=v0.7.0
readonly KUBERNETES_VALIDATE_VERSION=1.37.0
# A plain `go install` build of helm assumes Kubernetes 1.20 unless told otherwise.
readonly KUBE_VERSION=1.30.0

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly repo_root
readonly chart="$repo_root/helm/telltale"
readonly invalid_values_dir="$repo_root/helm/fixtures/invalid-values"
readonly tools="$repo_root/.tools"
readonly bin="$tools/bin"
readonly kv_dir="$tools/python/kubernetes-validate-$KUBERNETES_VALIDATE_VERSION"
readonly schema_root="$tools/kubeconform-schemas/kubernetes-validate-$KUBERNETES_VALIDATE_VERSION"

# Keep helm's own config and cache out of the user's home.
export HELM_CONFIG_HOME="$tools/helm/config"
export HELM_CACHE_HOME="$tools/helm/cache"
export HELM_DATA_HOME="$tools/helm/data"

started_at=$SECONDS
phase_started_at=$SECONDS
work_dir="$(mktemp -d)"
trap 'rm -rf "$work_dir"' EXIT
trap 'echo "[helm-check] FAILED (line $LINENO: $BASH_COMMAND)" >&2' ERR

log() { printf '[helm-check +%4ss] %s\n' "$((SECONDS - started_at))" "$*"; }
die() {
  printf '[helm-check] FAILED: %s\n' "$*" >&2
  exit 1
}
phase() {
  log "$1"
  phase_started_at=$SECONDS
}
phase_done() { log "  done in $((SECONDS - phase_started_at))s"; }

# --- tools --------------------------------------------------------------------------------------

# go install <module>@<version> into .tools/bin unless that exact version is already there (a
# stamp file records it: `go install` builds do not report a full version).
install_go_tool() {
  local name=$1 module=$2 version=$3
  local stamp="$bin/.$name-$version.installed"
  if [[ -x "$bin/$name" && -f "$stamp" ]]; then
    return
  fi
  command -v go > /dev/null || die "go is needed to install $name ($module@$version)"
  phase "installing $name $version: go install $module@$version"
  mkdir -p "$bin"
  rm -f "$bin/.$name-"*.installed
  GOBIN="$bin" go install "$module@$version" || die "go install $module@$version failed"
  touch "$stamp"
  phase_done
}

install_kubernetes_validate() {
  if [[ -f "$kv_dir/.installed" ]]; then
    return
  fi
  command -v python3 > /dev/null || die "python3 is needed to install kubernetes-validate"
  phase "installing kubernetes-validate $KUBERNETES_VALIDATE_VERSION (pip, into ${kv_dir#"$repo_root"/})"
  rm -rf "$kv_dir"
  python3 -m pip install --quiet --disable-pip-version-check --no-input \
    --target "$kv_dir" "kubernetes-validate==$KUBERNETES_VALIDATE_VERSION" \
    || die "pip install kubernetes-validate==$KUBERNETES_VALIDATE_VERSION failed"
  touch "$kv_dir/.installed"
  phase_done
}

# kubernetes-validate keeps one folder per Kubernetes version under
# kubernetes_validate/kubernetes-json-schema/v<version>-local[-strict]/, one file per kind
# (<kind>-<group>-<version>.json) in kubeconform's own naming. Those files carry an https $id and
# reference "/api/_definitions.json", which kubeconform would try to download (and, failing,
# report as a missing schema). Rewrite them once: no $id, and the references point at the
# _definitions.json file beside them.
prepare_schemas() {
  local version_dir="v$KUBE_VERSION-local-strict"
  local source="$kv_dir/kubernetes_validate/kubernetes-json-schema/$version_dir"
  local target="$schema_root/$version_dir"
  if [[ -f "$target/.prepared" ]]; then
    return
  fi
  [[ -d "$source" ]] || die "kubernetes-validate $KUBERNETES_VALIDATE_VERSION has no $version_dir schemas (looked in $source)"
  phase "preparing kubeconform schemas for Kubernetes $KUBE_VERSION from kubernetes-validate"
  rm -rf "$target"
  mkdir -p "$target"
  python3 - "$source" "$target" << 'PY'
import json
import pathlib
import sys

source, target = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
count = 0
for path in sorted(source.glob("*.json")):
    schema = json.loads(path.read_text())
    if isinstance(schema, dict):
        schema.pop("$id", None)
    text = json.dumps(schema).replace('"/api/_definitions.json#', '"_definitions.json#')
    (target / path.name).write_text(text)
    count += 1
if count == 0 or not (target / "_definitions.json").exists():
    sys.exit(f"no schemas found in {source}")
print(f"  {count} schema files")
PY
  touch "$target/.prepared"
  phase_done
}

install_go_tool helm helm.sh/helm/v3/cmd/helm "$HELM_VERSION"
install_go_tool kubeconform github.com/yannh/kubeconform/cmd/kubeconform "$KUBECONFORM_VERSION"
install_kubernetes_validate
prepare_schemas

readonly helm="$bin/helm"
readonly kubeconform="$bin/kubeconform"
log "tools ready ($("$helm" version --short 2> /dev/null || echo helm), kubeconform $("$kubeconform" -v))"

kubeconform_args=(
  # One worker: parallel workers each compile the same 1.2 MB definitions file on a cache miss,
  # which here is 6x slower than compiling it once.
  -n 1
  -strict
  -summary
  -kubernetes-version "$KUBE_VERSION"
  -schema-location "$schema_root/{{ .NormalizedKubernetesVersion }}-local{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json"
  # Strimzi's and the Prometheus Operator's CRD schemas are not in kubernetes-validate; the policy
  # check below covers KafkaTopic and ServiceMonitor.
  -skip KafkaTopic,ServiceMonitor
)

# --- 0. the validator itself rejects a bad manifest ---------------------------------------------
# Guards against a schema location that silently matches nothing.
phase "kubeconform canary: an unknown Deployment field must be rejected"
cat > "$work_dir/canary.yaml" << 'EOF'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: canary
spec:
  selector:
    matchLabels: {app: canary}
  template:
    metadata:
      labels: {app: canary}
    spec:
      containers:
        - name: canary
          image: canary
          notAField: true
EOF
if "$kubeconform" "${kubeconform_args[@]}" "$work_dir/canary.yaml" > "$work_dir/canary.out" 2>&1; then
  cat "$work_dir/canary.out"
  die "kubeconform accepted a Deployment with an unknown field: the schemas are not being used"
fi
grep -q "notAField" "$work_dir/canary.out" || {
  cat "$work_dir/canary.out"
  die "kubeconform failed the canary for another reason than the unknown field"
}
phase_done

# --- 1-3. every CI values file: lint, render, validate, policy ----------------------------------

shopt -s nullglob
ci_values=("$chart"/ci/*-values.yaml)
shopt -u nullglob
((${#ci_values[@]} > 0)) || die "no values files in ${chart#"$repo_root"/}/ci/"
[[ -f "$chart/ci/test-values.yaml" ]] || die "missing ${chart#"$repo_root"/}/ci/test-values.yaml"

# Policy for rendered manifests; the expectations come from the values file that rendered them.
cat > "$work_dir/policy.py" << 'PY'
import base64
import json
import sys
import yaml

manifest_path, values_path = sys.argv[1], sys.argv[2]
docs = [d for d in yaml.safe_load_all(open(manifest_path)) if d]
values = yaml.safe_load(open(values_path)) or {}
failures = []

def fail(message):
    failures.append(message)

def of_kind(kind):
    return [d for d in docs if d["kind"] == kind]

def component(obj):
    return obj["metadata"]["labels"].get("app.kubernetes.io/component")

defaults = yaml.safe_load(open(sys.argv[3]))
def service_values(name):
    merged = dict(defaults["services"].get(name, {}))
    for key, value in ((values.get("services") or {}).get(name) or {}).items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged

all_services = sorted(set(defaults["services"]) | set((values.get("services") or {})))
enabled = [s for s in all_services if service_values(s).get("enabled")]
secret_existing = (values.get("secrets") or {}).get("existingSecret")

chart_secret_keys = {}
for secret in of_kind("Secret"):
    chart_secret_keys[secret["metadata"]["name"]] = set((secret.get("data") or {}).keys())
config_maps = {c["metadata"]["name"]: c.get("data") or {} for c in of_kind("ConfigMap")}

def check_pod(owner, pod_spec, expect_args):
    if pod_spec.get("securityContext", {}).get("runAsNonRoot") is not True:
        fail(f"{owner}: pod securityContext.runAsNonRoot is not true")
    if pod_spec.get("automountServiceAccountToken") is not False:
        fail(f"{owner}: service account token is mounted")
    volumes = {v["name"]: v for v in pod_spec.get("volumes", [])}
    for container in pod_spec["containers"]:
        where = f"{owner}/{container['name']}"
        sc = container.get("securityContext", {})
        if sc.get("readOnlyRootFilesystem") is not True:
            fail(f"{where}: readOnlyRootFilesystem is not true")
        if sc.get("allowPrivilegeEscalation") is not False:
            fail(f"{where}: allowPrivilegeEscalation is not false")
        if "ALL" not in sc.get("capabilities", {}).get("drop", []):
            fail(f"{where}: capabilities do not drop ALL")
        if sc.get("runAsNonRoot") is not True:
            fail(f"{where}: runAsNonRoot is not true")
        tmp = [m for m in container.get("volumeMounts", []) if m["mountPath"] == "/tmp"]
        if not tmp or "emptyDir" not in volumes.get(tmp[0]["name"], {}):
            fail(f"{where}: /tmp is not an emptyDir")
        requests = container.get("resources", {}).get("requests", {})
        if not {"cpu", "memory"} <= set(requests):
            fail(f"{where}: cpu and memory requests are not both set")
        if container.get("args") != expect_args:
            fail(f"{where}: args {container.get('args')} != {expect_args}")
        for env in container.get("env", []):
            ref = (env.get("valueFrom") or {}).get("secretKeyRef")
            if ref and not secret_existing:
                keys = chart_secret_keys.get(ref["name"])
                if keys is None:
                    fail(f"{where}: env {env['name']} reads Secret {ref['name']}, which the chart does not create")
                elif ref["key"] not in keys:
                    fail(f"{where}: env {env['name']} reads key {ref['key']} missing from Secret {ref['name']}")
            if ref and secret_existing and ref["name"] != secret_existing:
                fail(f"{where}: env {env['name']} reads {ref['name']} instead of existingSecret {secret_existing}")
        for source in container.get("envFrom", []):
            name = (source.get("configMapRef") or {}).get("name")
            if name and name not in config_maps:
                fail(f"{where}: envFrom ConfigMap {name} is not rendered")

deployments = {component(d): d for d in of_kind("Deployment")}
if sorted(deployments) != enabled:
    fail(f"Deployments {sorted(deployments)} != enabled services {enabled}")

services_by_component = {component(s): s for s in of_kind("Service")}
pdbs = {component(p): p for p in of_kind("PodDisruptionBudget")}
policies = {component(p): p for p in of_kind("NetworkPolicy")}
hpas = {component(h): h for h in of_kind("HorizontalPodAutoscaler")}
ingresses = {component(i): i for i in of_kind("Ingress")}
network_policy_on = (values.get("networkPolicy") or {}).get("enabled", defaults["networkPolicy"]["enabled"])

for name, deployment in deployments.items():
    pod = deployment["spec"]["template"]
    spec = pod["spec"]
    selector = deployment["spec"]["selector"]["matchLabels"]
    if not selector.items() <= pod["metadata"]["labels"].items():
        fail(f"Deployment {name}: selector does not match its pod labels")
    program = service_values(name).get("program") or name
    check_pod(f"Deployment {name}", spec, ["node", f"services/{program}/dist/src/main.js"])
    container = spec["containers"][0]
    if container.get("livenessProbe", {}).get("httpGet", {}).get("path") != "/health/live":
        fail(f"Deployment {name}: liveness probe is not GET /health/live")
    if container.get("readinessProbe", {}).get("httpGet", {}).get("path") != "/health/ready":
        fail(f"Deployment {name}: readiness probe is not GET /health/ready")
    config = config_maps.get(deployment["metadata"]["name"], {})
    if config.get("RUN_MIGRATIONS") != "false":
        fail(f"Deployment {name}: RUN_MIGRATIONS is not \"false\" (the hook Job migrates)")
    if config.get("OTEL_SERVICE_NAME") != name or config.get("PORT") != "8080":
        fail(f"Deployment {name}: OTEL_SERVICE_NAME/PORT not set in its ConfigMap")
    if not config.get("KAFKA_BROKERS"):
        fail(f"Deployment {name}: KAFKA_BROKERS is empty")
    # Metrics: the container port named "metrics" is METRICS_PORT, apart from the HTTP port.
    metrics_port = (values.get("metrics") or {}).get("port", defaults["metrics"]["port"])
    named = {p["name"]: p["containerPort"] for p in container.get("ports", [])}
    if named.get("metrics") != metrics_port or config.get("METRICS_PORT") != str(metrics_port):
        fail(f"Deployment {name}: no container port \"metrics\" {metrics_port} matching METRICS_PORT {config.get('METRICS_PORT')!r}")
    if named.get("metrics") == named.get("http"):
        fail(f"Deployment {name}: metrics share the HTTP port")
    service = services_by_component.get(name)
    if not service or not service["spec"]["selector"].items() <= pod["metadata"]["labels"].items():
        fail(f"Deployment {name}: no Service selects its pods")
    elif {p["name"]: p.get("targetPort") for p in service["spec"]["ports"]}.get("metrics") != "metrics":
        fail(f"Deployment {name}: its Service has no port \"metrics\" targeting the container's")
    svc_values = service_values(name)
    if svc_values["podDisruptionBudget"]["enabled"]:
        pdb = pdbs.get(name)
        if not pdb or pdb["spec"]["selector"]["matchLabels"] != selector:
            fail(f"Deployment {name}: no PodDisruptionBudget selects its pods")
    if network_policy_on:
        policy = policies.get(name)
        if not policy or policy["spec"]["podSelector"]["matchLabels"] != selector:
            fail(f"Deployment {name}: no NetworkPolicy selects its pods")
        elif not any(p.get("port") == "metrics" for rule in policy["spec"].get("ingress", []) for p in rule.get("ports", [])):
            fail(f"Deployment {name}: its NetworkPolicy does not let the scrapers reach the metrics port")
    if svc_values["autoscaling"]["enabled"]:
        hpa = hpas.get(name)
        if not hpa or hpa["spec"]["scaleTargetRef"]["name"] != deployment["metadata"]["name"]:
            fail(f"Deployment {name}: no HorizontalPodAutoscaler targets it")
        if "replicas" in deployment["spec"]:
            fail(f"Deployment {name}: sets replicas although an HPA scales it")

# The two Ingresses and nothing else: the app's host (/ to the app, the providers' push endpoints
# to mailbox-sync) and the tracking host(s) (/o, /c, /d to the tracker), always the HTTP port.
# Step 5b checks what those paths reach in each service's route table.
def merged(*keys):
    got, default = values, defaults
    for key in keys:
        got, default = (got or {}).get(key) or {}, default[key]
    return {**default, **got}

ingress_values = merged("ingress")
app_ingress, tracking_ingress = merged("ingress", "app"), merged("ingress", "tracking")
config_values = merged("config")
host_of = lambda url: url.split("://", 1)[1].split("/", 1)[0].split(":", 1)[0]
expected_ingresses = {}
if ingress_values["enabled"] and app_ingress["enabled"] and "app" in enabled:
    app_paths = {("/", "Prefix", "app")}
    if app_ingress["mailboxWebhooks"] and "mailbox-sync" in enabled:
        app_paths |= {("/v1/push/gmail", "Exact", "mailbox-sync"), ("/v1/push/graph", "Exact", "mailbox-sync")}
    app_host = app_ingress["host"] or host_of(config_values["appPublicUrl"])
    expected_ingresses["app"] = ({app_host: app_paths}, {app_host: app_ingress["tlsSecretName"]})
if ingress_values["enabled"] and tracking_ingress["enabled"] and "tracker" in enabled:
    tracking_paths = {(p, "Prefix", "tracker") for p in ("/o", "/c", "/d")}
    tracking_hosts = [{"host": tracking_ingress["host"] or host_of(config_values["trackingBaseUrl"]), "tlsSecretName": tracking_ingress["tlsSecretName"]}]
    tracking_hosts += tracking_ingress["extraHosts"]
    expected_ingresses["tracker"] = ({h["host"]: tracking_paths for h in tracking_hosts}, {h["host"]: h.get("tlsSecretName") or "" for h in tracking_hosts})
if sorted(component(i) for i in of_kind("Ingress")) != sorted(expected_ingresses):
    fail(f"Ingresses for {sorted(component(i) for i in of_kind('Ingress'))}, expected exactly {sorted(expected_ingresses)} (the app's and the tracking edge's)")
component_of_service = {s["metadata"]["name"]: component(s) for s in of_kind("Service")}
for name, (expected_rules, expected_tls) in expected_ingresses.items():
    ingress = ingresses.get(name)
    if not ingress:
        continue
    rules = {}
    for rule in ingress["spec"]["rules"]:
        for path in rule["http"]["paths"]:
            backend = path["backend"]["service"]
            if backend.get("port") != {"name": "http"}:
                fail(f"Ingress {ingress['metadata']['name']}: {path['path']} goes to port {backend.get('port')}, not the HTTP port")
            rules.setdefault(rule.get("host"), set()).add((path["path"], path["pathType"], component_of_service.get(backend["name"])))
    if rules != expected_rules:
        fail(f"Ingress {ingress['metadata']['name']}: routes {sorted((h, sorted(p)) for h, p in rules.items())}, expected {sorted((h, sorted(p)) for h, p in expected_rules.items())}")
    tls = {host: t["secretName"] for t in ingress["spec"].get("tls", []) for host in t["hosts"]}
    if tls != {h: secret for h, secret in expected_tls.items() if secret}:
        fail(f"Ingress {ingress['metadata']['name']}: TLS {tls}, expected {expected_tls}")

# Who reaches whom over HTTP: the app the seven services behind the API, the sender the sequencer's
# and mailbox-sync's internal routes, the tracker content's (the document viewer), every other
# service the app's key set; the ingress controller
# only the app, the tracker and (push endpoints) mailbox-sync. No HTTP rule without peers (that
# would admit everyone).
identity_values = merged("config", "identity")
def calls(name):
    program = service_values(name).get("program") or name
    if program == "app":
        wanted = {"sequencer", "sender", "tracker", "mailbox-sync", "reply-detector", "crm-writer", "content"}
    else:
        wanted = {"sequencer", "mailbox-sync"} if program == "sender" else {"content"} if name == "tracker" else set()
        if not identity_values["jwks"] and not identity_values["jwksUrl"]:
            wanted.add("app")
    return wanted & set(enabled)
public_components = {backend for rules, _ in expected_ingresses.values() for paths in rules.values() for _, _, backend in paths}
np_values = merged("networkPolicy")
if network_policy_on:
    for name in enabled:
        policy = policies.get(name)
        if not policy:
            continue
        where = f"NetworkPolicy {policy['metadata']['name']}"
        http_in = [r for r in policy["spec"].get("ingress", []) if any(p.get("port") == "http" for p in r.get("ports", []))]
        if any(not r.get("from") for r in http_in):
            fail(f"{where}: an HTTP ingress rule without peers admits everyone")
        peers = [peer for r in http_in for peer in r.get("from", [])]
        callers = {peer["podSelector"]["matchLabels"].get("app.kubernetes.io/component") for peer in peers if "podSelector" in peer and "namespaceSelector" not in peer}
        expected_callers = {c for c in enabled if name in calls(c)}
        if callers != expected_callers:
            fail(f"{where}: HTTP from {sorted(c or 'every pod of the release' for c in callers)}, expected {sorted(expected_callers)}")
        controller = all(peer in peers for peer in np_values["ingressPeers"]) and bool(np_values["ingressPeers"])
        if controller != (name in public_components):
            fail(f"{where}: the ingress controller {'reaches' if controller else 'does not reach'} {name}")
        http_out = [r for r in policy["spec"].get("egress", []) if any(p.get("port") == "http" for p in r.get("ports", []))]
        if any(not r.get("to") for r in http_out):
            fail(f"{where}: an HTTP egress rule without peers reaches everything")
        targets = {peer["podSelector"]["matchLabels"].get("app.kubernetes.io/component") for r in http_out for peer in r.get("to", []) if "podSelector" in peer}
        if targets != calls(name):
            fail(f"{where}: HTTP to {sorted(t or 'every pod of the release' for t in targets)}, expected {sorted(calls(name))}")

# Identity: one issuer everywhere, the app's key set for the others, the sender's credential from
# the Secret and its digest (never the credential) in the services it calls.
import hashlib
secrets_values = merged("secrets")
app_service = services_by_component.get("app")
namespace = (app_service or {}).get("metadata", {}).get("namespace")
service_port = values.get("servicePort", defaults["servicePort"])
for name, deployment in deployments.items():
    config = config_maps.get(deployment["metadata"]["name"], {})
    program = service_values(name).get("program") or name
    if config.get("IDENTITY_ISSUER") != identity_values["issuer"]:
        fail(f"Deployment {name}: IDENTITY_ISSUER is {config.get('IDENTITY_ISSUER')!r}")
    if program != "app" and not identity_values["jwks"] and not identity_values["jwksUrl"]:
        want = app_service and f"http://{app_service['metadata']['name']}.{namespace}.svc:{service_port}/.well-known/jwks.json"
        if not want or config.get("IDENTITY_JWKS_URL") != want:
            fail(f"Deployment {name}: IDENTITY_JWKS_URL is {config.get('IDENTITY_JWKS_URL')!r}, not the app's key set {want!r}")
    if program in ("sequencer", "mailbox-sync") and "sender" in enabled:
        digest = secrets_values["senderServiceCredentialSha256"] if secret_existing else hashlib.sha256(secrets_values["senderServiceCredential"].encode()).hexdigest()
        if config.get("INTERNAL_CALLERS") != f"sender={digest}":
            fail(f"Deployment {name}: INTERNAL_CALLERS is {config.get('INTERNAL_CALLERS')!r}, not sender=<SHA-256 of the sender's credential>")
    refs = {e["name"]: e["valueFrom"]["secretKeyRef"]["key"] for e in deployment["spec"]["template"]["spec"]["containers"][0].get("env", []) if "secretKeyRef" in e.get("valueFrom", {})}
    if program == "sender" and refs.get("SERVICE_CREDENTIAL") != "SENDER_SERVICE_CREDENTIAL":
        fail(f"Deployment {name}: SERVICE_CREDENTIAL does not come from the Secret's SENDER_SERVICE_CREDENTIAL")
    if program == "app" and refs.get("SERVICE_CREDENTIAL", "APP_SERVICE_CREDENTIAL") != "APP_SERVICE_CREDENTIAL":
        fail(f"Deployment {name}: SERVICE_CREDENTIAL does not come from the Secret's APP_SERVICE_CREDENTIAL")
    if "SERVICE_CREDENTIAL" in config or (program not in ("sender", "app") and "SERVICE_CREDENTIAL" in refs):
        fail(f"Deployment {name}: holds a SERVICE_CREDENTIAL it has no use for, or in its ConfigMap")
if "INTERNAL_API_TOKEN" in open(manifest_path).read():
    fail("INTERNAL_API_TOKEN (replaced by each caller's own credential) is still rendered")

if "tracker" in enabled and service_values("tracker")["autoscaling"]["enabled"] and "tracker" not in hpas:
    fail("no HorizontalPodAutoscaler for tracker")
# A separate engagement store (ADR 6): the tracker pods pixel-only, the store pods store-only.
store_split = "tracker-store" in enabled
for name, want in (("tracker", "false" if store_split else None), ("tracker-store", "true" if store_split else None)):
    if name in deployments:
        got = config_maps.get(deployments[name]["metadata"]["name"], {}).get("TRACKER_ENGAGEMENT_STORE")
        if got != want:
            fail(f"Deployment {name}: TRACKER_ENGAGEMENT_STORE is {got!r}, expected {want!r}")

metrics_values = {**defaults["metrics"], **(values.get("metrics") or {})}
monitors = of_kind("ServiceMonitor")
if (metrics_values.get("serviceMonitor") or {}).get("enabled"):
    if len(monitors) != 1:
        fail(f"{len(monitors)} ServiceMonitors rendered, expected one")
    for monitor in monitors:
        selector = monitor["spec"]["selector"]["matchLabels"]
        missed = [n for n, s in services_by_component.items() if not selector.items() <= s["metadata"]["labels"].items()]
        if missed:
            fail(f"ServiceMonitor {monitor['metadata']['name']}: does not select the Services of {missed}")
        if [e.get("port") for e in monitor["spec"]["endpoints"]] != ["metrics"] or monitor["spec"]["endpoints"][0].get("path") != "/metrics":
            fail(f"ServiceMonitor {monitor['metadata']['name']}: endpoints are not the port \"metrics\", path /metrics")
        if monitor["spec"].get("jobLabel") != "app.kubernetes.io/component":
            fail(f"ServiceMonitor {monitor['metadata']['name']}: job label is not the component (the dashboard's job variable)")
elif monitors:
    fail("ServiceMonitor rendered although metrics.serviceMonitor.enabled is false")
dashboards = [c for c in of_kind("ConfigMap") if "telltale.json" in (c.get("data") or {})]
if (metrics_values.get("grafanaDashboard") or {}).get("enabled"):
    if len(dashboards) != 1:
        fail(f"{len(dashboards)} Grafana dashboard ConfigMaps rendered, expected one")
    for dashboard in dashboards:
        board = json.loads(dashboard["data"]["telltale.json"])
        if not board.get("panels"):
            fail("Grafana dashboard: no panels")
elif dashboards:
    fail("Grafana dashboard rendered although metrics.grafanaDashboard.enabled is false")

jobs = of_kind("Job")
migrating = [s for s in enabled if service_values(s).get("migrations")]
if (values.get("migrations") or {}).get("enabled", defaults["migrations"]["enabled"]):
    job_services = sorted(j["metadata"]["labels"].get("telltale.io/service") for j in jobs)
    if job_services != migrating:
        fail(f"migration Jobs for {job_services} != {migrating}")
for job in jobs:
    name = job["metadata"]["labels"]["telltale.io/service"]
    hooks = job["metadata"].get("annotations", {}).get("helm.sh/hook", "")
    if set(hooks.split(",")) != {"pre-install", "pre-upgrade"}:
        fail(f"Job {name}: hook is {hooks!r}, not pre-install,pre-upgrade")
    check_pod(f"Job {name}", job["spec"]["template"]["spec"], ["node", f"services/{name}/dist/src/migrate.js"])

topics = of_kind("KafkaTopic")
prefix = (values.get("kafka") or {}).get("topicPrefix", defaults["kafka"]["topicPrefix"])
expected_topics = {prefix + t["name"] for t in (values.get("kafkaTopics") or {}).get("topics", defaults["kafkaTopics"]["topics"])}
if (values.get("kafkaTopics") or {}).get("enabled"):
    names = {t["spec"]["topicName"] for t in topics}
    if not expected_topics <= names:
        fail(f"KafkaTopics missing: {sorted(expected_topics - names)}")
    for topic in topics:
        if not topic["metadata"]["labels"].get("strimzi.io/cluster"):
            fail(f"KafkaTopic {topic['metadata']['name']}: no strimzi.io/cluster label")
elif topics:
    fail("KafkaTopics rendered although kafkaTopics.enabled is false")

# Kafka TLS and SASL (kafka.ssl, kafka.sasl): every workload gets the variables the values ask for
# and no others, each file variable points into the Secret and key named in the values, and the
# password is never a plain value.
kafka_values = {**defaults["kafka"], **(values.get("kafka") or {})}
kafka_ssl = {**defaults["kafka"]["ssl"], **(kafka_values.get("ssl") or {})}
kafka_ca = {**defaults["kafka"]["ssl"]["caSecret"], **(kafka_ssl.get("caSecret") or {})}
kafka_sasl = {**defaults["kafka"]["sasl"], **(kafka_values.get("sasl") or {})}

def check_kafka_security(owner, env, pod_spec):
    got = {k: v for k, v in env.items() if k.startswith(("KAFKA_SSL", "KAFKA_SASL"))}
    expected = {}
    files = []
    if kafka_ssl["enabled"]:
        expected["KAFKA_SSL"] = "true"
        expected["KAFKA_SSL_REJECT_UNAUTHORIZED"] = str(kafka_ssl["rejectUnauthorized"]).lower()
        if kafka_ca["name"]:
            files.append(("KAFKA_SSL_CA_FILE", kafka_ca["name"], kafka_ca["key"]))
    if kafka_sasl["mechanism"]:
        expected["KAFKA_SASL_MECHANISM"] = kafka_sasl["mechanism"]
        expected["KAFKA_SASL_USERNAME"] = kafka_sasl["username"]
        files.append(("KAFKA_SASL_PASSWORD_FILE", kafka_sasl["existingSecret"], kafka_sasl["passwordKey"]))
    for name, value in expected.items():
        if got.get(name) != value:
            fail(f"{owner}: {name} is {got.get(name)!r}, expected {value!r}")
    container = pod_spec["containers"][0]
    mounts = {m["mountPath"]: m["name"] for m in container.get("volumeMounts", [])}
    volumes = {v["name"]: v for v in pod_spec.get("volumes", [])}
    for name, secret_name, key in files:
        directory, _, file_name = (got.get(name) or "").rpartition("/")
        secret = (volumes.get(mounts.get(directory)) or {}).get("secret") or {}
        items = {i["path"]: i["key"] for i in secret.get("items", [])}
        if secret.get("secretName") != secret_name or items.get(file_name) != key:
            fail(f"{owner}: {name} ({got.get(name)!r}) is not a file of Secret {secret_name}'s key {key}")
    unexpected = sorted(set(got) - set(expected) - {name for name, _, _ in files})
    if unexpected:
        fail(f"{owner}: Kafka security variables the values do not ask for: {unexpected}")

for name, deployment in deployments.items():
    spec = deployment["spec"]["template"]["spec"]
    env = {**config_maps.get(deployment["metadata"]["name"], {}), **{e["name"]: e["value"] for e in spec["containers"][0].get("env", []) if "value" in e}}
    check_kafka_security(f"Deployment {name}", env, spec)
for job in jobs:
    spec = job["spec"]["template"]["spec"]
    env = {e["name"]: e["value"] for e in spec["containers"][0].get("env", []) if "value" in e}
    check_kafka_security(f"Job {job['metadata']['labels']['telltale.io/service']}", env, spec)

# Secret values reach the chart's Secret byte for byte (quoting in the templates); the bootstrap
# as the JSON of the values' object.
secret_sources = {
    "DATABASE_URL": (values.get("postgresql") or {}).get("url"),
    "TRACKING_SIGNING_KEYS": secrets_values["trackingSigningKeys"],
    "CREDENTIALS_ENCRYPTION_KEYS": secrets_values["credentialsEncryptionKeys"],
    "SENDER_SERVICE_CREDENTIAL": secrets_values["senderServiceCredential"],
    "IDENTITY_SIGNING_KEY": secrets_values["identitySigningKey"],
    "APP_ENCRYPTION_KEYS": secrets_values["appEncryptionKeys"],
    "APP_BOOTSTRAP": secrets_values["appBootstrap"] or None,
    "SALESFORCE_CLIENT_SECRET": secrets_values["salesforceClientSecret"],
    "SALESFORCE_PASSWORD": secrets_values["salesforcePassword"],
    "APP_SERVICE_CREDENTIAL": secrets_values.get("appServiceCredential") or None,
}
for secret in of_kind("Secret"):
    for key, encoded in (secret.get("data") or {}).items():
        expected = secret_sources.get(key)
        got = base64.b64decode(encoded).decode("utf-8")
        if expected is None:
            fail(f"Secret {secret['metadata']['name']}: unexpected key {key}")
        elif (json.loads(got) if isinstance(expected, dict) else got) != expected:
            fail(f"Secret {secret['metadata']['name']}: {key} does not hold the value given in the values file")

if failures:
    print("\n".join(f"  policy: {f}" for f in failures))
    sys.exit(1)
print(f"  policy: {len(docs)} objects, {len(deployments)} Deployments, {len(jobs)} migration Jobs, "
      f"{len(topics)} KafkaTopics: ok")
PY

for values_file in "${ci_values[@]}"; do
  label="${values_file#"$repo_root"/}"
  phase "helm lint --strict ($label)"
  "$helm" lint "$chart" --strict --kube-version "$KUBE_VERSION" -f "$values_file" \
    || die "helm lint failed for $label"
  phase_done

  phase "helm template | kubeconform -strict ($label, Kubernetes $KUBE_VERSION)"
  rendered="$work_dir/$(basename "$values_file" .yaml).rendered.yaml"
  "$helm" template telltale "$chart" --namespace telltale --kube-version "$KUBE_VERSION" \
    -f "$values_file" > "$rendered" || die "helm template failed for $label"
  "$kubeconform" "${kubeconform_args[@]}" "$rendered" || die "kubeconform rejected the manifests rendered with $label"
  PYTHONPATH="$kv_dir" python3 "$work_dir/policy.py" "$rendered" "$values_file" "$chart/values.yaml" \
    || die "chart policy failed for $label"
  phase_done
done

# --- 3b. the Grafana dashboard asks for metrics the services define ------------------------------

phase "Grafana dashboard: every telltale_* metric it queries is defined in the code"
python3 - "$chart/dashboards/telltale.json" "$repo_root" << 'PY' || die "the Grafana dashboard queries metrics the services do not define"
import json
import pathlib
import re
import sys

dashboard, repo = json.load(open(sys.argv[1])), pathlib.Path(sys.argv[2])
exprs = [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]
queried = {re.sub(r"_(bucket|count|sum)$", "", m) for e in exprs for m in re.findall(r"\btelltale_[a-z_]+", e)}
sources = "\n".join(f.read_text() for pattern in ("libs/*/src/**/*.ts", "services/*/src/**/*.ts") for f in repo.glob(pattern))
defined = set(re.findall(r"name: '(telltale_[a-z_]+)'", sources))
missing = sorted(queried - defined)
if missing or not queried:
    print(f"  not defined: {missing}" if missing else "  no telltale_* metric queried")
    sys.exit(1)
print(f"  {len(exprs)} queries, {len(queried)} telltale metrics, all defined")
PY
phase_done

# --- 4. bad values are rejected, for the right reason --------------------------------------------

phase "values.schema.json rejects bad values (${invalid_values_dir#"$repo_root"/}/)"
shopt -s nullglob
invalid_values=("$invalid_values_dir"/*.yaml)
shopt -u nullglob
((${#invalid_values[@]} > 0)) || die "no invalid values fixtures in $invalid_values_dir"

# The chart's defaults alone leave the required external endpoints empty.
if "$helm" template telltale "$chart" --kube-version "$KUBE_VERSION" > /dev/null 2> "$work_dir/defaults.err"; then
  die "helm template accepted the chart defaults, which have no Kafka, PostgreSQL or tracking URL"
fi
for expected in "/kafka/brokers" "/config/trackingBaseUrl" "/postgresql/url"; do
  grep -qF -- "$expected" "$work_dir/defaults.err" || {
    cat "$work_dir/defaults.err"
    die "rejecting the defaults did not mention $expected"
  }
done
log "  rejected: chart defaults (no kafka.brokers, config.trackingBaseUrl, postgresql.url)"

rejected=0
for bad in "${invalid_values[@]}"; do
  label="${bad#"$repo_root"/}"
  mapfile -t expectations < <(sed -n 's/^# expect: //p' "$bad")
  ((${#expectations[@]} > 0)) || die "$label has no '# expect: <message>' line"
  if "$helm" template telltale "$chart" --kube-version "$KUBE_VERSION" \
    -f "$chart/ci/test-values.yaml" -f "$bad" > /dev/null 2> "$work_dir/bad.err"; then
    die "helm template accepted $label"
  fi
  for expected in "${expectations[@]}"; do
    grep -qF -- "$expected" "$work_dir/bad.err" || {
      cat "$work_dir/bad.err"
      die "$label was rejected, but not with '$expected'"
    }
  done
  log "  rejected: $(basename "$bad")"
  rejected=$((rejected + 1))
done
phase_done

# --- 5. config contract -------------------------------------------------------------------------

phase "config contract: rendered env passes each service's start-up validation"
# The same Node 24 bootstrap as `npm test` (installs into .tools/node-pkg when the machine's is older).
REPO_ROOT="$repo_root"
# shellcheck source=deploy/local/ensure-node.sh
source "$repo_root/deploy/local/ensure-node.sh"
ensure_node
service_dirs=()
for service_dir in "$repo_root"/services/*/; do
  service_dirs+=("services/$(basename "$service_dir")")
done
(cd "$repo_root" && npx --no-install tsc -b "${service_dirs[@]}") || die "tsc -b failed: the services do not build"
cat > "$work_dir/config-contract.cjs" << 'JS'
// Feeds each rendered workload's environment to its service's own config loader (zod), exactly
// as the container would see it at start-up.
const fs = require('node:fs');
const path = require('node:path');
const { createRequire } = require('node:module');

const [repoRoot, manifestPath] = process.argv.slice(2);
const requireFromRepo = createRequire(path.join(repoRoot, 'package.json'));
const YAML = requireFromRepo('yaml');

const docs = YAML.parseAllDocuments(fs.readFileSync(manifestPath, 'utf8')).map((d) => d.toJS()).filter(Boolean);
const byKind = (kind) => docs.filter((d) => d.kind === kind);
const configMaps = new Map(byKind('ConfigMap').map((c) => [c.metadata.name, c.data ?? {}]));
const secrets = new Map(
  byKind('Secret').map((s) => [
    s.metadata.name,
    Object.fromEntries(Object.entries(s.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')])),
  ]),
);

function environmentOf(container, where) {
  const env = {};
  for (const source of container.envFrom ?? []) {
    const data = configMaps.get(source.configMapRef?.name);
    if (!data) throw new Error(`${where}: envFrom ConfigMap ${source.configMapRef?.name} not rendered`);
    Object.assign(env, data);
  }
  for (const entry of container.env ?? []) {
    if (entry.value !== undefined) env[entry.name] = String(entry.value);
    else if (entry.valueFrom?.secretKeyRef) {
      const { name, key } = entry.valueFrom.secretKeyRef;
      const value = secrets.get(name)?.[key];
      if (value === undefined) throw new Error(`${where}: ${entry.name} reads ${name}/${key}, which is not rendered`);
      env[entry.name] = value;
    } else env[entry.name] = `placeholder-for-${entry.name}`;
  }
  return env;
}

function loaderFor(service) {
  const file = path.join(repoRoot, 'services', service, 'dist', 'src', `${service}.config.js`);
  if (!fs.existsSync(file)) throw new Error(`no config module ${path.relative(repoRoot, file)}`);
  const exports = require(file);
  const loaders = Object.keys(exports).filter((name) => /^load\w*Config$/.test(name));
  if (loaders.length !== 1) throw new Error(`${path.relative(repoRoot, file)} exports ${loaders.length} load*Config functions`);
  return exports[loaders[0]];
}

// Variables that only make sense together, as the services check them when they build their Kafka clients.
const { kafkaSecurityProblems } = require(path.join(repoRoot, 'libs', 'runtime', 'dist', 'src', 'kafka-security-config.js'));

const workloads = [
  ...byKind('Deployment').map((d) => ({
    where: `Deployment ${d.metadata.name}`,
    // The program it runs (services/<program>/dist/src/main.js), which may differ from its name.
    service: /^services\/([^/]+)\//.exec(d.spec.template.spec.containers[0].args?.[1] ?? '')?.[1] ?? d.metadata.labels['app.kubernetes.io/component'],
    pod: d.spec.template.spec,
  })),
  ...byKind('Job').map((j) => ({
    where: `Job ${j.metadata.name}`,
    service: j.metadata.labels['telltale.io/service'],
    pod: j.spec.template.spec,
  })),
];
const problems = [];
for (const { where, service, pod } of workloads) {
  try {
    const config = loaderFor(service)(environmentOf(pod.containers[0], where));
    for (const problem of kafkaSecurityProblems(config)) problems.push(`${where}: ${problem}`);
  } catch (err) {
    problems.push(`${where}: ${err.message}`);
  }
}
if (workloads.length === 0) problems.push('no Deployments or Jobs rendered');
if (problems.length) {
  console.log(problems.map((p) => `  contract: ${p}`).join('\n'));
  process.exit(1);
}
console.log(`  contract: ${workloads.length} workloads start with the environment the chart gives them`);
JS
contract_manifest="$work_dir/test-values.rendered.yaml"
[[ -f "$contract_manifest" ]] || die "no rendering of ci/test-values.yaml to check the config contract with"
node "$work_dir/config-contract.cjs" "$repo_root" "$contract_manifest" || die "the chart's environment fails the services' config validation"
phase_done

# --- 5b. what the Ingresses reach ---------------------------------------------------------------

phase "ingress routes: no path reaches an internal route, the tracking host only recipients' routes"
cat > "$work_dir/ingress-routes.cjs" << 'JS'
// Matches every path of every rendered Ingress against the route table of the service behind it,
// read from its compiled controllers with the Nest metadata the caller guard enforces (@Public,
// @Internal, @Members; libs/runtime/src/identity/route-table.ts reads the same at start-up). Only
// the controller files are loaded, never an entry point.
const fs = require('node:fs');
const path = require('node:path');
const { createRequire } = require('node:module');

const [repoRoot, ...manifests] = process.argv.slice(2);
const requireFromRepo = createRequire(path.join(repoRoot, 'package.json'));
requireFromRepo('reflect-metadata');
const YAML = requireFromRepo('yaml');
const { METHOD_METADATA, PATH_METADATA } = requireFromRepo('@nestjs/common/constants');
const { ACCESS_METADATA } = require(path.join(repoRoot, 'libs', 'runtime', 'dist', 'src', 'identity', 'access.decorators.js'));

const walk = (dir) => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : e.name.endsWith('.js') ? [path.join(dir, e.name)] : []));
const segments = (p) => p.split('/').filter(Boolean);
const tables = new Map();

/** Every route of a service program: its own controllers and the runtime's (health). */
function routeTable(program) {
  if (tables.has(program)) return tables.get(program);
  const dirs = [path.join(repoRoot, 'services', program, 'dist', 'src'), path.join(repoRoot, 'libs', 'runtime', 'dist', 'src')];
  const routes = [];
  for (const file of dirs.flatMap(walk)) {
    if (!/\bController\)\(/.test(fs.readFileSync(file, 'utf8'))) continue;
    for (const type of Object.values(require(file))) {
      if (typeof type !== 'function' || !Reflect.hasMetadata(PATH_METADATA, type)) continue;
      for (const name of Object.getOwnPropertyNames(type.prototype)) {
        const handler = type.prototype[name];
        if (name === 'constructor' || typeof handler !== 'function' || Reflect.getMetadata(METHOD_METADATA, handler) === undefined) continue;
        const access = Reflect.getMetadata(ACCESS_METADATA, handler) ?? Reflect.getMetadata(ACCESS_METADATA, type) ?? null;
        for (const base of [].concat(Reflect.getMetadata(PATH_METADATA, type) ?? ''))
          for (const sub of [].concat(Reflect.getMetadata(PATH_METADATA, handler) ?? ''))
            routes.push({ path: `/${[...segments(base), ...segments(sub)].join('/')}`, access });
      }
    }
  }
  tables.set(program, routes);
  return routes;
}

/** Whether some request path is both under the Ingress path and served by the route (:param and *wildcard segments match anything). */
function reaches(ingressPath, pathType, route) {
  const want = segments(ingressPath);
  const have = segments(route);
  for (let i = 0; i < want.length; i++) {
    if (have[i] === undefined) return false;
    if (have[i].startsWith('*')) return true;
    if (!have[i].startsWith(':') && have[i] !== want[i]) return false;
  }
  // Prefix and ImplementationSpecific (taken as a prefix): anything below; Exact: this path only.
  return pathType !== 'Exact' || have.length === want.length;
}

const problems = [];
const lines = [];
let checked = 0;
for (const manifest of manifests) {
  const docs = YAML.parseAllDocuments(fs.readFileSync(manifest, 'utf8')).map((d) => d.toJS()).filter(Boolean);
  const of = (kind) => docs.filter((d) => d.kind === kind);
  const deploymentByComponent = new Map(of('Deployment').map((d) => [d.metadata.labels['app.kubernetes.io/component'], d]));
  const programOfService = new Map(
    of('Service').map((s) => {
      const deployment = deploymentByComponent.get(s.spec.selector['app.kubernetes.io/component']);
      return [s.metadata.name, /^services\/([^/]+)\//.exec(deployment?.spec.template.spec.containers[0].args?.[1] ?? '')?.[1]];
    }),
  );
  const label = path.basename(manifest, '.rendered.yaml');
  for (const ingress of of('Ingress')) {
    const tracking = ingress.metadata.labels['app.kubernetes.io/component'] === 'tracker';
    for (const rule of ingress.spec.rules) {
      for (const { path: ingressPath, pathType, backend } of rule.http.paths) {
        const where = `${label}: Ingress ${ingress.metadata.name} ${rule.host}${ingressPath} (${pathType})`;
        const program = programOfService.get(backend.service.name);
        if (!program) {
          problems.push(`${where}: goes to ${backend.service.name}, which runs no known service`);
          continue;
        }
        const reached = routeTable(program).filter((r) => reaches(ingressPath, pathType, r.path));
        checked += 1;
        for (const route of reached) {
          const access = route.access ? `${route.access.kind}${route.access.reason ? ` (${route.access.reason})` : ''}` : 'no access rule';
          if (route.access?.kind === 'internal') problems.push(`${where}: reaches ${program}'s internal route ${route.path}`);
          else if (tracking && !(route.access?.kind === 'public' && route.access.reason === 'recipient'))
            problems.push(`${where}: reaches ${program}'s ${route.path}, ${access}: the tracking host serves recipients' routes only`);
          else if (program !== 'app' && route.access?.kind !== 'public')
            problems.push(`${where}: reaches ${program}'s ${route.path}, ${access}, past the app that authenticates callers`);
        }
        lines.push(`  ${where} -> ${program}: ${reached.length} routes${reached.length ? ` (${[...new Set(reached.map((r) => r.access?.reason ?? r.access?.kind))].join(', ')})` : ''}`);
      }
    }
  }
}
// The route tables are not empty guesses: the internal routes and recipients' routes are found.
for (const [program, route, kind] of [['sequencer', '/internal/v1/send-requests/:id/claim', 'internal'], ['mailbox-sync', '/internal/v1/mailboxes/:id/transport', 'internal'], ['tracker', '/c/:token', 'public'], ['app', '/.well-known/jwks.json', 'public']]) {
  if (!routeTable(program).some((r) => r.path === route && r.access?.kind === kind)) problems.push(`route table of ${program}: no ${kind} route ${route} (is the build current?)`);
}
console.log(lines.join('\n'));
if (checked === 0) problems.push('no Ingress path rendered');
if (problems.length) {
  console.log(problems.map((p) => `  ingress: ${p}`).join('\n'));
  process.exit(1);
}
console.log(`  ingress: ${checked} paths checked against the services' route tables: no internal route, recipients' routes only on the tracking host`);
JS
node "$work_dir/ingress-routes.cjs" "$repo_root" "$work_dir"/*.rendered.yaml || die "an Ingress reaches routes it must not"
phase_done

log "all chart checks passed: ${#ci_values[@]} values files rendered and validated, $((rejected + 1)) bad values rejected (total $((SECONDS - started_at))s)"
echo "$((${#ci_values[@]} * 3 + rejected + 4)) passed, 0 failed"
