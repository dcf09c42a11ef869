{{/* The chart's name, or nameOverride. */}}
{{- define "phoneauth.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The release's resource names: the release name when it contains the chart's name. */}}
{{- define "phoneauth.fullname" -}}
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

{{- define "phoneauth.selectorLabels" -}}
app.kubernetes.io/name: {{ include "phoneauth.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "phoneauth.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "phoneauth.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "phoneauth.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}
{{- end }}

{{- define "phoneauth.secretName" -}}
{{- required "existingSecret is required: the name of a Secret holding PHONEAUTH_DATABASE_URL, PHONEAUTH_ENCRYPTION_KEY, PHONEAUTH_METRICS_TOKEN and the SMS provider's credentials" .Values.existingSecret }}
{{- end }}

{{/*
The environment of the server and the migration job (dict "root" $ "goMemLimit" "…"): the
non-secret settings from values, the listen address, GOMEMLIMIT when given, and every key of
existingSecret. The job runs before the release's other resources
exist (a pre-install hook), so nothing here may come from a ConfigMap of the chart.
*/}}
{{- define "phoneauth.env" -}}
{{- $root := .root -}}
env:
  - name: PHONEAUTH_ADDR
    value: {{ printf ":%v" $root.Values.containerPort | quote }}
  {{- with .goMemLimit }}
  - name: GOMEMLIMIT
    value: {{ . | quote }}
  {{- end }}
  {{- range $k, $v := $root.Values.config }}
  {{- if eq $k "PHONEAUTH_ADDR" }}
  {{- fail "config.PHONEAUTH_ADDR: set containerPort instead" }}
  {{- end }}
  - name: {{ $k }}
    value: {{ $v | toString | quote }}
  {{- end }}
envFrom:
  - secretRef:
      name: {{ include "phoneauth.secretName" $root }}
{{- end }}

{{/* What every pod of the release shares: no service links (their PHONEAUTH_* variables would be taken
for settings), no service account token, the security contexts. */}}
{{- define "phoneauth.podSpecCommon" -}}
enableServiceLinks: false
automountServiceAccountToken: false
{{- with .Values.serviceAccountName }}
serviceAccountName: {{ . }}
{{- end }}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}
