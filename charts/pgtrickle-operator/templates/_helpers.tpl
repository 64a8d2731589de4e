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
# Database credentials: fetched by name (the cluster's <name>-app Secret or connectionSecretRef),
# never listed or watched.
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "patch"]
{{- end -}}
