{{- define "pgtrickle.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "pgtrickle.labels" -}}
app.kubernetes.io/name: {{ include "pgtrickle.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "pgtrickle.rules" -}}
- apiGroups: ["pgtrickle.io"]
  resources: ["streamtables", "refreshpolicies"]
  verbs: ["get", "list", "watch", "patch", "update"]
- apiGroups: ["pgtrickle.io"]
  resources: ["streamtables/status", "refreshpolicies/status"]
  verbs: ["get", "patch", "update"]
- apiGroups: ["pgtrickle.io"]
  resources: ["streamtables/finalizers"]
  verbs: ["update"]
# Database credentials: read only, never listed cluster-wide by name patterns we don't own.
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get", "list", "watch"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "patch"]
{{- end -}}
