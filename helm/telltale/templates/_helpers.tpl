{{/*
Names. Kubernetes names are limited to 63 characters (DNS-1123 labels).
*/}}
{{- define "telltale.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "telltale.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Name of one service's objects: <fullname>-<service>. Call with (list $ "tracker"). */}}
{{- define "telltale.componentName" -}}
{{- $root := index . 0 }}
{{- printf "%s-%s" (include "telltale.fullname" $root) (index . 1) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "telltale.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels.
*/}}
{{- define "telltale.selectorLabels" -}}
app.kubernetes.io/name: {{ include "telltale.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "telltale.labels" -}}
helm.sh/chart: {{ include "telltale.chart" . }}
{{ include "telltale.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: telltale
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Call with (list $ "tracker"). */}}
{{- define "telltale.componentSelectorLabels" -}}
{{ include "telltale.selectorLabels" (index . 0) }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end }}

{{/* Call with (list $ "tracker"). */}}
{{- define "telltale.componentLabels" -}}
{{ include "telltale.labels" (index . 0) }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end }}

{{- define "telltale.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "telltale.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "telltale.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* The Secret the services read: the user's existingSecret or the chart's own. */}}
{{- define "telltale.secretName" -}}
{{- default (include "telltale.fullname" .) .Values.secrets.existingSecret }}
{{- end }}

{{/* The Secret the migration hook Jobs read: it must exist before the release's own objects. */}}
{{- define "telltale.migrationSecretName" -}}
{{- default (printf "%s-migrations" (include "telltale.fullname" .) | trunc 63 | trimSuffix "-") .Values.secrets.existingSecret }}
{{- end }}

{{/* In-cluster base URL of one service. Call with (list $ "mailbox-sync"). */}}
{{- define "telltale.internalUrl" -}}
{{- $root := index . 0 }}
{{- printf "http://%s.%s.svc:%d" (include "telltale.componentName" .) $root.Release.Namespace (int $root.Values.servicePort) }}
{{- end }}

{{/*
Secret keys (named like the environment variables, or `env` when the variable's name differs) with
the values key each one comes from; `optional` keys may be absent from the Secret.
Returns YAML: KEY: {path: values.path, value: "...", env?: NAME, optional?: true}.
*/}}
{{- define "telltale.secretSources" -}}
{{- $s := .Values.secrets }}
DATABASE_URL: {path: postgresql.url, value: {{ .Values.postgresql.url | quote }}}
TRACKING_SIGNING_KEYS: {path: secrets.trackingSigningKeys, value: {{ $s.trackingSigningKeys | quote }}}
CREDENTIALS_ENCRYPTION_KEYS: {path: secrets.credentialsEncryptionKeys, value: {{ $s.credentialsEncryptionKeys | quote }}}
SENDER_SERVICE_CREDENTIAL: {path: secrets.senderServiceCredential, env: SERVICE_CREDENTIAL, value: {{ $s.senderServiceCredential | quote }}}
IDENTITY_SIGNING_KEY: {path: secrets.identitySigningKey, value: {{ $s.identitySigningKey | quote }}}
APP_ENCRYPTION_KEYS: {path: secrets.appEncryptionKeys, value: {{ $s.appEncryptionKeys | quote }}}
APP_BOOTSTRAP: {path: secrets.appBootstrap, optional: true, value: {{ ternary (toJson $s.appBootstrap) "" (not (empty $s.appBootstrap)) | quote }}}
SALESFORCE_CLIENT_SECRET: {path: secrets.salesforceClientSecret, value: {{ $s.salesforceClientSecret | quote }}}
SALESFORCE_PASSWORD: {path: secrets.salesforcePassword, value: {{ $s.salesforcePassword | quote }}}
APP_SERVICE_CREDENTIAL: {path: secrets.appServiceCredential, env: SERVICE_CREDENTIAL, optional: true, value: {{ $s.appServiceCredential | quote }}}
{{- end }}

{{/*
SHA-256 (hex) of the sender's SERVICE_CREDENTIAL, which the services it calls hold in
INTERNAL_CALLERS: computed from secrets.senderServiceCredential, or given as
secrets.senderServiceCredentialSha256 when the credential lives in secrets.existingSecret.
*/}}
{{- define "telltale.senderCredentialDigest" -}}
{{- if .Values.secrets.existingSecret }}
{{- .Values.secrets.senderServiceCredentialSha256 }}
{{- else if .Values.secrets.senderServiceCredential }}
{{- .Values.secrets.senderServiceCredential | sha256sum }}
{{- end }}
{{- end }}

{{/* Whether a service is enabled: "true" or "". Call with (list $ "sender"). */}}
{{- define "telltale.enabled" -}}
{{- if (index (index . 0).Values.services (index . 1) | default dict | dig "enabled" false) }}true{{ end }}
{{- end }}

{{/* The services' identity key set: config.identity.jwksUrl, or the app's /.well-known/jwks.json in the cluster. */}}
{{- define "telltale.identityJwksUrl" -}}
{{- if .Values.config.identity.jwksUrl }}
{{- .Values.config.identity.jwksUrl }}
{{- else if include "telltale.enabled" (list . "app") }}
{{- printf "%s/.well-known/jwks.json" (include "telltale.internalUrl" (list . "app")) }}
{{- end }}
{{- end }}

{{/*
Shared settings a service may select with services.<name>.settings; `service` names the service a
*_URL setting reaches (its NetworkPolicy follows), `optional` ones may be empty.
Returns YAML: NAME: {path: values.path, value: "...", service?: name, optional?: true}.
*/}}
{{- define "telltale.settingSources" -}}
{{- $c := .Values.config }}
TRACKING_BASE_URL: {path: config.trackingBaseUrl, value: {{ $c.trackingBaseUrl | quote }}}
APP_PUBLIC_URL: {path: config.appPublicUrl, value: {{ $c.appPublicUrl | quote }}}
{{- /* The web app's "This is my device" opens the tracking domain, which sends the browser back to the app. */}}
APP_TRACKING_URL: {path: config.trackingBaseUrl, value: {{ $c.trackingBaseUrl | quote }}, optional: true}
TRACKER_APP_ORIGINS: {path: config.appPublicUrl, value: {{ $c.appPublicUrl | quote }}, optional: true}
APP_SESSION_IDLE_MINUTES: {path: config.sessions.idleMinutes, value: {{ $c.sessions.idleMinutes | toString | quote }}}
APP_SESSION_ABSOLUTE_HOURS: {path: config.sessions.absoluteHours, value: {{ $c.sessions.absoluteHours | toString | quote }}}
{{- range $setting, $service := dict "SEQUENCER_URL" "sequencer" "SENDER_URL" "sender" "TRACKER_URL" "tracker" "MAILBOX_SYNC_URL" "mailbox-sync" "REPLY_DETECTOR_URL" "reply-detector" "CRM_WRITER_URL" "crm-writer" "CONTENT_URL" "content" }}
{{ $setting }}: {path: services.{{ $service }}.enabled, service: {{ $service }}, value: {{ ternary (include "telltale.internalUrl" (list $ $service)) "" (eq (include "telltale.enabled" (list $ $service)) "true") | quote }}}
{{- end }}
{{- $senderOn := eq (include "telltale.enabled" (list . "sender")) "true" }}
{{- $digest := include "telltale.senderCredentialDigest" . }}
INTERNAL_CALLERS:
  path: {{ ternary "secrets.senderServiceCredentialSha256 (SHA-256 hex of SENDER_SERVICE_CREDENTIAL in secrets.existingSecret)" "secrets.senderServiceCredential" (not (empty .Values.secrets.existingSecret)) | quote }}
  value: {{ ternary (printf "sender=%s" $digest) "" (and $senderOn (not (empty $digest))) | quote }}
  optional: {{ not $senderOn }}
SEQUENCER_TICK_MS: {path: config.sequencerTickMs, value: {{ $c.sequencerTickMs | toString | quote }}}
{{- $store := .Values.content.storage }}
{{- $s3 := eq $store.driver "s3" }}
CONTENT_STORAGE: {path: content.storage.driver, value: {{ $store.driver | quote }}}
CONTENT_STORAGE_DIR: {path: content.storage.filesystem.mountPath, value: {{ ternary "" $store.filesystem.mountPath $s3 | quote }}, optional: true}
CONTENT_S3_BUCKET: {path: content.storage.s3.bucket, value: {{ ternary $store.s3.bucket "" $s3 | quote }}, optional: {{ not $s3 }}}
CONTENT_S3_ENDPOINT: {path: content.storage.s3.endpoint, value: {{ ternary $store.s3.endpoint "" $s3 | quote }}, optional: true}
CONTENT_S3_REGION: {path: content.storage.s3.region, value: {{ ternary $store.s3.region "" $s3 | quote }}, optional: true}
CONTENT_S3_FORCE_PATH_STYLE: {path: content.storage.s3.forcePathStyle, value: {{ ternary ($store.s3.forcePathStyle | toString) "" $s3 | quote }}, optional: true}
CONTENT_MAX_UPLOAD_BYTES: {path: content.maxUploadBytes, value: {{ .Values.content.maxUploadBytes | int64 | toString | quote }}}
CONTENT_DEFAULT_PLAN: {path: content.defaultPlan, value: {{ .Values.content.defaultPlan | quote }}}
APP_DEFAULT_PLAN: {path: content.defaultPlan, value: {{ .Values.content.defaultPlan | quote }}}
{{- /* The app's plan updates reach content's internal route: content knows the app's credential by its SHA-256. */}}
{{- $appDigest := ternary .Values.secrets.appServiceCredentialSha256 (.Values.secrets.appServiceCredential | default "" | sha256sum) (not (empty .Values.secrets.existingSecret)) }}
{{- $appCalls := and (include "telltale.enabled" (list . "app")) (or .Values.secrets.appServiceCredential .Values.secrets.appServiceCredentialSha256) }}
CONTENT_INTERNAL_CALLERS: {path: secrets.appServiceCredential, env: INTERNAL_CALLERS, optional: true, value: {{ ternary (printf "app=%s" $appDigest) "" (not (not $appCalls)) | quote }}}
SALESFORCE_LOGIN_URL: {path: config.salesforce.loginUrl, value: {{ $c.salesforce.loginUrl | quote }}}
SALESFORCE_CLIENT_ID: {path: config.salesforce.clientId, value: {{ $c.salesforce.clientId | quote }}}
SALESFORCE_USERNAME: {path: config.salesforce.username, value: {{ $c.salesforce.username | quote }}}
{{- /* Salesforce sends an admin connecting the organisation back to the web app's settings page. */}}
SALESFORCE_REDIRECT_URI: {path: config.appPublicUrl, value: {{ ternary (printf "%s/settings/salesforce/callback" (trimSuffix "/" $c.appPublicUrl)) "" (not (empty $c.appPublicUrl)) | quote }}, optional: true}
{{- end }}

{{/*
Non-secret environment of one service (its ConfigMap, and the env of its migration Job).
Call with (list $ "tracker" $svc).
*/}}
{{- define "telltale.serviceConfig" -}}
{{- $root := index . 0 }}
{{- $name := index . 1 }}
{{- $svc := index . 2 }}
{{- $settings := include "telltale.settingSources" $root | fromYaml }}
{{- $env := dict
      "KAFKA_BROKERS" (join "," $root.Values.kafka.brokers)
      "KAFKA_REPLICATION_FACTOR" (toString $root.Values.kafka.replicationFactor)
      "LOG_LEVEL" $root.Values.config.logLevel
      "PORT" (toString $root.Values.containerPort)
      "METRICS_PORT" (toString $root.Values.metrics.port)
      "OTEL_SERVICE_NAME" $name
      "RUN_MIGRATIONS" "false"
      "TMPDIR" "/tmp" }}
{{- with $root.Values.kafka.topicPrefix }}
{{- $_ := set $env "KAFKA_TOPIC_PREFIX" . }}
{{- end }}
{{- $_ := merge $env (include "telltale.kafkaSecurityEnv" $root | fromYaml) }}
{{- with $root.Values.config.otelExporterOtlpEndpoint }}
{{- $_ := set $env "OTEL_EXPORTER_OTLP_ENDPOINT" . }}
{{- end }}
{{- range $svc.settings }}
{{- $src := get $settings . | default dict }}
{{- if or $src.value (not $src.optional) }}
{{- $_ := set $env ($src.env | default .) $src.value }}
{{- end }}
{{- end }}
{{- /* Who may call it: every service verifies the app's identity tokens; the app signs them. */}}
{{- $_ := set $env "IDENTITY_ISSUER" $root.Values.config.identity.issuer }}
{{- if ne ($svc.program | default $name) "app" }}
{{- with $root.Values.config.identity.jwks }}
{{- $_ := set $env "IDENTITY_JWKS" . }}
{{- else }}
{{- $_ := set $env "IDENTITY_JWKS_URL" (include "telltale.identityJwksUrl" $root) }}
{{- end }}
{{- end }}
{{- range $k, $v := $svc.env }}
{{- $_ := set $env $k (toString $v) }}
{{- end }}
{{- /* A separate engagement store (ADR 6): tracker pods pixel-only, tracker-store pods store-only. */}}
{{- if and (eq ($svc.program | default $name) "tracker") (index $root.Values.services "tracker-store" | default dict | dig "enabled" false) }}
{{- $_ := set $env "TRACKER_ENGAGEMENT_STORE" (ternary "false" "true" (eq $name "tracker")) }}
{{- end }}
{{- toYaml $env }}
{{- end }}

{{/*
env entries for the Secret keys one service uses. Call with (list $ "secret-name" $svc).
*/}}
{{- define "telltale.secretEnv" -}}
{{- $sources := include "telltale.secretSources" (index . 0) | fromYaml }}
{{- $secretName := index . 1 }}
{{- range (index . 2).secretKeys }}
{{- $src := get $sources . | default dict }}
- name: {{ $src.env | default . }}
  valueFrom:
    secretKeyRef:
      name: {{ $secretName }}
      key: {{ . }}
      {{- if $src.optional }}
      optional: true
      {{- end }}
{{- end }}
{{- end }}

{{/*
The services one service calls over HTTP (its *_URL settings, and the app for the identity key set
unless config.identity names another): what its NetworkPolicy lets it reach, and who may reach the
others. Call with (list $ "sender" $svc); returns a JSON list of service names.
*/}}
{{- define "telltale.upstreams" -}}
{{- $root := index . 0 }}
{{- $svc := index . 2 }}
{{- $settings := include "telltale.settingSources" $root | fromYaml }}
{{- $targets := list }}
{{- range $svc.settings }}
{{- $src := get $settings . | default dict }}
{{- if and $src.service $src.value }}
{{- $targets = append $targets $src.service }}
{{- end }}
{{- end }}
{{- $identity := $root.Values.config.identity }}
{{- if and (ne ($svc.program | default (index . 1)) "app") (not $identity.jwks) (not $identity.jwksUrl) (include "telltale.enabled" (list $root "app")) }}
{{- $targets = append $targets "app" }}
{{- end }}
{{- toJson (uniq $targets | sortAlpha) }}
{{- end }}

{{/* Names of the enabled services, sorted. */}}
{{- define "telltale.enabledServices" -}}
{{- $names := list }}
{{- range $name, $svc := .Values.services }}
{{- if $svc.enabled }}
{{- $names = append $names $name }}
{{- end }}
{{- end }}
{{- toJson (sortAlpha $names) }}
{{- end }}

{{/*
Kafka TLS and SASL (kafka.ssl, kafka.sasl): the environment every service and migration Job gets,
and the Secrets mounted for it (the CA certificate, the SASL password: files, never env values).
*/}}
{{- define "telltale.kafkaCaDir" -}}/etc/telltale/kafka-ca{{- end }}
{{- define "telltale.kafkaSaslDir" -}}/etc/telltale/kafka-sasl{{- end }}

{{- define "telltale.kafkaSecurityEnv" -}}
{{- $ssl := .Values.kafka.ssl }}
{{- $sasl := .Values.kafka.sasl }}
{{- $env := dict }}
{{- if $ssl.enabled }}
{{- $_ := set $env "KAFKA_SSL" "true" }}
{{- $_ := set $env "KAFKA_SSL_REJECT_UNAUTHORIZED" (toString $ssl.rejectUnauthorized) }}
{{- if $ssl.caSecret.name }}
{{- $_ := set $env "KAFKA_SSL_CA_FILE" (printf "%s/ca.crt" (include "telltale.kafkaCaDir" .)) }}
{{- end }}
{{- end }}
{{- if $sasl.mechanism }}
{{- $_ := set $env "KAFKA_SASL_MECHANISM" $sasl.mechanism }}
{{- $_ := set $env "KAFKA_SASL_USERNAME" $sasl.username }}
{{- $_ := set $env "KAFKA_SASL_PASSWORD_FILE" (printf "%s/password" (include "telltale.kafkaSaslDir" .)) }}
{{- end }}
{{- toYaml $env }}
{{- end }}

{{- define "telltale.kafkaVolumeMounts" -}}
{{- if and .Values.kafka.ssl.enabled .Values.kafka.ssl.caSecret.name }}
- name: kafka-ca
  mountPath: {{ include "telltale.kafkaCaDir" . }}
  readOnly: true
{{- end }}
{{- if .Values.kafka.sasl.mechanism }}
- name: kafka-sasl
  mountPath: {{ include "telltale.kafkaSaslDir" . }}
  readOnly: true
{{- end }}
{{- end }}

{{- define "telltale.kafkaVolumes" -}}
{{- if and .Values.kafka.ssl.enabled .Values.kafka.ssl.caSecret.name }}
- name: kafka-ca
  secret:
    secretName: {{ .Values.kafka.ssl.caSecret.name }}
    items:
      - key: {{ .Values.kafka.ssl.caSecret.key }}
        path: ca.crt
{{- end }}
{{- if .Values.kafka.sasl.mechanism }}
- name: kafka-sasl
  secret:
    secretName: {{ .Values.kafka.sasl.existingSecret }}
    items:
      - key: {{ .Values.kafka.sasl.passwordKey }}
        path: password
{{- end }}
{{- end }}

{{/* Distinct ports of kafka.brokers (host:port). */}}
{{- define "telltale.kafkaPorts" -}}
{{- $ports := list }}
{{- range .Values.kafka.brokers }}
{{- $ports = append $ports (int (last (splitList ":" .))) }}
{{- end }}
{{- toJson (uniq $ports) }}
{{- end }}

{{/*
The two public hosts (ingress.app, ingress.tracking): their own, or the host of the URL people and
mail clients reach them by. Call with (list $ "app") or (list $ "tracking").
*/}}
{{- define "telltale.ingressHost" -}}
{{- $root := index . 0 }}
{{- $which := index . 1 }}
{{- $url := ternary $root.Values.config.appPublicUrl $root.Values.config.trackingBaseUrl (eq $which "app") }}
{{- $host := (get $root.Values.ingress $which).host }}
{{- if $host }}
{{- $host }}
{{- else if $url }}
{{- (urlParse $url).hostname }}
{{- end }}
{{- end }}

{{/*
What each Ingress routes, fixed by the chart so that no other route is ever published: recipients'
tracking paths on the tracking host; on the app host everything to the app (which authenticates
every request and forwards /api/v1/... to the services), and the mailbox providers' push endpoints
(Exact) to mailbox-sync. No service's /internal routes, health or metrics are on either.
*/}}
{{- define "telltale.trackingPaths" -}}
["/o", "/c", "/d"]
{{- end }}
{{- define "telltale.mailboxWebhookPaths" -}}
["/v1/push/gmail", "/v1/push/graph"]
{{- end }}

{{- define "telltale.appIngressOn" -}}
{{- if and .Values.ingress.enabled .Values.ingress.app.enabled (include "telltale.enabled" (list . "app")) }}true{{ end }}
{{- end }}
{{- define "telltale.trackingIngressOn" -}}
{{- if and .Values.ingress.enabled .Values.ingress.tracking.enabled (include "telltale.enabled" (list . "tracker")) }}true{{ end }}
{{- end }}
{{- define "telltale.webhookIngressOn" -}}
{{- if and (include "telltale.appIngressOn" .) .Values.ingress.app.mailboxWebhooks (include "telltale.enabled" (list . "mailbox-sync")) }}true{{ end }}
{{- end }}

{{/* Whether the ingress controller reaches a service ("true" or ""). Call with (list $ "tracker"). */}}
{{- define "telltale.publicService" -}}
{{- $root := index . 0 }}
{{- $name := index . 1 }}
{{- if or (and (eq $name "app") (include "telltale.appIngressOn" $root)) (and (eq $name "tracker") (include "telltale.trackingIngressOn" $root)) (and (eq $name "mailbox-sync") (include "telltale.webhookIngressOn" $root)) }}true{{ end }}
{{- end }}

{{/*
Cross-field checks values.schema.json cannot express: each enabled service must find every
setting and secret it reads; the metrics port is not the HTTP port; the identity keys are usable
and the sender's credential matches its digest. Renders nothing; fails the install with a message
naming the value.
*/}}
{{- define "telltale.validate" -}}
{{- $root := . }}
{{- $secrets := include "telltale.secretSources" . | fromYaml }}
{{- $settings := include "telltale.settingSources" . | fromYaml }}
{{- $missing := list }}
{{- range $name, $svc := .Values.services }}
{{- if $svc.enabled }}
{{- range $svc.settings }}
{{- $src := get $settings . }}
{{- if not $src }}
{{- $missing = append $missing (printf "services.%s.settings: unknown setting %s" $name .) }}
{{- else if and (not $src.value) (not $src.optional) }}
{{- $missing = append $missing (printf "%s (%s, read by %s)" $src.path . $name) }}
{{- end }}
{{- end }}
{{- range $svc.secretKeys }}
{{- $src := get $secrets . }}
{{- if not $src }}
{{- $missing = append $missing (printf "services.%s.secretKeys: unknown key %s" $name .) }}
{{- else if and (not $root.Values.secrets.existingSecret) (not $src.value) (not $src.optional) }}
{{- $missing = append $missing (printf "%s (%s, read by %s; or set secrets.existingSecret)" $src.path . $name) }}
{{- end }}
{{- end }}
{{- if and (ne ($svc.program | default $name) "app") (not $root.Values.config.identity.jwks) (not (include "telltale.identityJwksUrl" $root)) }}
{{- $missing = append $missing (printf "config.identity.jwksUrl or config.identity.jwks (services.app is disabled; %s verifies the identity tokens against that key set)" $name) }}
{{- end }}
{{- end }}
{{- end }}
{{- range $which := list "app" "tracking" }}
{{- if and (include (printf "telltale.%sIngressOn" $which) $root) (not (include "telltale.ingressHost" (list $root $which))) }}
{{- $missing = append $missing (printf "ingress.%s.host (its Ingress is enabled)" $which) }}
{{- end }}
{{- end }}
{{- $s := .Values.secrets }}
{{- if and (not $s.existingSecret) $s.identitySigningKey }}
{{- $jwk := $s.identitySigningKey | fromJson }}
{{- if not (and (eq (toString $jwk.kty) "EC") (eq (toString $jwk.crv) "P-256") $jwk.d $jwk.x $jwk.y) }}
{{- $missing = append $missing "secrets.identitySigningKey (must be the JSON of a private EC P-256 JWK: kty EC, crv P-256, x, y and d)" }}
{{- end }}
{{- end }}
{{- if and (not $s.existingSecret) $s.senderServiceCredential $s.senderServiceCredentialSha256 (ne ($s.senderServiceCredential | sha256sum) $s.senderServiceCredentialSha256) }}
{{- $missing = append $missing "secrets.senderServiceCredentialSha256 (is not the SHA-256 of secrets.senderServiceCredential; leave it empty and the chart computes it)" }}
{{- end }}
{{- if eq (int .Values.metrics.port) (int .Values.containerPort) }}
{{- $missing = append $missing (printf "metrics.port (%d is containerPort: metrics never share the HTTP port)" (int .Values.metrics.port)) }}
{{- end }}
{{- if $missing }}
{{- fail (printf "\n\ntelltale: missing or invalid values:\n  - %s\n" (join "\n  - " (uniq $missing))) }}
{{- end }}
{{- end }}

{{/*
Pod-level pieces shared by the Deployments and the migration Jobs.
*/}}
{{- define "telltale.podSecurityContext" -}}
{{- toYaml .Values.podSecurityContext }}
{{- end }}

{{- define "telltale.tmpVolume" -}}
- name: tmp
  emptyDir:
    {{- with .Values.tmpVolume.medium }}
    medium: {{ . }}
    {{- end }}
    {{- with .Values.tmpVolume.sizeLimit }}
    sizeLimit: {{ . }}
    {{- end }}
{{- end }}

{{- define "telltale.tmpVolumeMount" -}}
- name: tmp
  mountPath: /tmp
{{- end }}

{{/* Whether the content service keeps its files on the chart's volume: "true" or "". */}}
{{- define "telltale.contentVolume" -}}
{{- if and (include "telltale.enabled" (list . "content")) (eq .Values.content.storage.driver "filesystem") }}true{{ end }}
{{- end }}

{{/* The content volume's claim: content.storage.filesystem.existingClaim or the chart's own. */}}
{{- define "telltale.contentClaimName" -}}
{{- default (include "telltale.componentName" (list . "content")) .Values.content.storage.filesystem.existingClaim }}
{{- end }}
