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
Secret keys (named like the environment variables) with the values key each one comes from.
Returns YAML: KEY: {path: values.path, value: "..."}.
*/}}
{{- define "telltale.secretSources" -}}
{{- $s := .Values.secrets }}
DATABASE_URL: {path: postgresql.url, value: {{ .Values.postgresql.url | quote }}}
TRACKING_SIGNING_KEYS: {path: secrets.trackingSigningKeys, value: {{ $s.trackingSigningKeys | quote }}}
CREDENTIALS_ENCRYPTION_KEYS: {path: secrets.credentialsEncryptionKeys, value: {{ $s.credentialsEncryptionKeys | quote }}}
INTERNAL_API_TOKEN: {path: secrets.internalApiToken, value: {{ $s.internalApiToken | quote }}}
SALESFORCE_CLIENT_SECRET: {path: secrets.salesforceClientSecret, value: {{ $s.salesforceClientSecret | quote }}}
SALESFORCE_PASSWORD: {path: secrets.salesforcePassword, value: {{ $s.salesforcePassword | quote }}}
{{- end }}

{{/*
Shared settings a service may select with services.<name>.settings.
Returns YAML: NAME: {path: values.path, value: "..."}.
*/}}
{{- define "telltale.settingSources" -}}
{{- $c := .Values.config }}
TRACKING_BASE_URL: {path: config.trackingBaseUrl, value: {{ $c.trackingBaseUrl | quote }}}
SEQUENCER_URL: {path: services.sequencer.enabled, value: {{ ternary (include "telltale.internalUrl" (list . "sequencer")) "" (index .Values.services "sequencer" | default dict | dig "enabled" false) | quote }}}
MAILBOX_SYNC_URL: {path: services.mailbox-sync.enabled, value: {{ ternary (include "telltale.internalUrl" (list . "mailbox-sync")) "" (index .Values.services "mailbox-sync" | default dict | dig "enabled" false) | quote }}}
SEQUENCER_TICK_MS: {path: config.sequencerTickMs, value: {{ $c.sequencerTickMs | toString | quote }}}
SALESFORCE_LOGIN_URL: {path: config.salesforce.loginUrl, value: {{ $c.salesforce.loginUrl | quote }}}
SALESFORCE_CLIENT_ID: {path: config.salesforce.clientId, value: {{ $c.salesforce.clientId | quote }}}
SALESFORCE_USERNAME: {path: config.salesforce.username, value: {{ $c.salesforce.username | quote }}}
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
{{- $_ := set $env . (get (get $settings .) "value") }}
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
env entries for the Secret keys one service uses. Call with (list "secret-name" $svc).
*/}}
{{- define "telltale.secretEnv" -}}
{{- $secretName := index . 0 }}
{{- range (index . 1).secretKeys }}
- name: {{ . }}
  valueFrom:
    secretKeyRef:
      name: {{ $secretName }}
      key: {{ . }}
{{- end }}
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

{{/* Ingress host of one service: its own, or the tracking URL's host for the tracker. */}}
{{- define "telltale.ingressHost" -}}
{{- $root := index . 0 }}
{{- $name := index . 1 }}
{{- $svc := index . 2 }}
{{- if $svc.ingress.host }}
{{- $svc.ingress.host }}
{{- else if and (eq $name "tracker") $root.Values.config.trackingBaseUrl }}
{{- (urlParse $root.Values.config.trackingBaseUrl).hostname }}
{{- end }}
{{- end }}

{{/*
Cross-field checks values.schema.json cannot express: each enabled service must find every
setting and secret it reads; the metrics port is not the HTTP port. Renders nothing; fails the install with a message naming the value.
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
{{- else if not $src.value }}
{{- $missing = append $missing (printf "%s (%s, read by %s)" $src.path . $name) }}
{{- end }}
{{- end }}
{{- range $svc.secretKeys }}
{{- $src := get $secrets . }}
{{- if not $src }}
{{- $missing = append $missing (printf "services.%s.secretKeys: unknown key %s" $name .) }}
{{- else if and (not $root.Values.secrets.existingSecret) (not $src.value) }}
{{- $missing = append $missing (printf "%s (%s, read by %s; or set secrets.existingSecret)" $src.path . $name) }}
{{- end }}
{{- end }}
{{- if and $root.Values.ingress.enabled $svc.ingress.enabled (not (include "telltale.ingressHost" (list $root $name $svc))) }}
{{- $missing = append $missing (printf "services.%s.ingress.host (its Ingress is enabled)" $name) }}
{{- end }}
{{- end }}
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
