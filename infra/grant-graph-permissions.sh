#!/usr/bin/env bash
# Grants the bot's managed identity its Microsoft Graph application permissions, for when the
# Bicep deployment ran with grantGraphPermissions=false (the deploying user could not grant
# admin consent). Run it as someone who can: Privileged Role Administrator or Global
# Administrator. Granting an application permission to a service principal IS the admin
# consent; there is no separate consent prompt for a managed identity.
#
#   infra/grant-graph-permissions.sh <principal-object-id> [--no-policy]
#   infra/grant-graph-permissions.sh --resource-group <rg> [--deployment main] [--no-policy]
#
# <principal-object-id> is the deployment output MANAGED_IDENTITY_PRINCIPAL_ID (the identity's
# service principal object id, not its client id). With --resource-group it is read from the
# deployment's outputs. Grants AuditLog.Read.All and Directory.Read.All, and Policy.Read.All
# unless --no-policy. Already granted permissions are left as they are, so it is safe to rerun.
# Needs the Azure CLI, signed in (az login) to the bot's tenant. GRAPH_URL overrides
# https://graph.microsoft.com for national clouds.
set -euo pipefail

GRAPH_URL="${GRAPH_URL:-https://graph.microsoft.com}"
GRAPH_APP_ID="00000003-0000-0000-c000-000000000000"
PERMISSIONS=("AuditLog.Read.All" "Directory.Read.All" "Policy.Read.All")

# az rest against Microsoft Graph (--resource also covers national clouds).
graph() {
  az rest --resource "$GRAPH_URL" "$@"
}

usage() {
  sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'
  exit "${1:-2}"
}

principal=""
resource_group=""
deployment="main"
while [ $# -gt 0 ]; do
  case "$1" in
    --no-policy) PERMISSIONS=("AuditLog.Read.All" "Directory.Read.All"); shift ;;
    --resource-group|-g) resource_group="${2:?--resource-group needs a value}"; shift 2 ;;
    --deployment|-n) deployment="${2:?--deployment needs a value}"; shift 2 ;;
    -h|--help) usage 0 ;;
    -*) echo "Unknown option: $1" >&2; usage ;;
    *) principal="$1"; shift ;;
  esac
done

if [ -z "$principal" ] && [ -n "$resource_group" ]; then
  principal="$(az deployment group show --resource-group "$resource_group" --name "$deployment" \
    --query properties.outputs.MANAGED_IDENTITY_PRINCIPAL_ID.value --output tsv)"
fi
if ! [[ "$principal" =~ ^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$ ]]; then
  echo "Give the managed identity's principal (object) id, or --resource-group of the deployment." >&2
  usage
fi

echo "Microsoft Graph service principal in this tenant..."
graph_sp_id="$(graph --method GET \
  --url "${GRAPH_URL}/v1.0/servicePrincipals(appId='${GRAPH_APP_ID}')?\$select=id" \
  --query id --output tsv)"

echo "Granting to ${principal}: ${PERMISSIONS[*]}"
for permission in "${PERMISSIONS[@]}"; do
  role_id="$(graph --method GET \
    --url "${GRAPH_URL}/v1.0/servicePrincipals/${graph_sp_id}?\$select=appRoles" \
    --query "appRoles[?value=='${permission}' && contains(allowedMemberTypes, 'Application')].id | [0]" \
    --output tsv)"
  if [ -z "$role_id" ]; then
    echo "  ${permission}: not found among Microsoft Graph's application permissions" >&2
    exit 1
  fi
  already="$(graph --method GET \
    --url "${GRAPH_URL}/v1.0/servicePrincipals/${principal}/appRoleAssignments" \
    --query "length(value[?appRoleId=='${role_id}' && resourceId=='${graph_sp_id}'])" \
    --output tsv)"
  if [ "${already:-0}" != "0" ]; then
    echo "  ${permission}: already granted"
    continue
  fi
  graph --method POST \
    --url "${GRAPH_URL}/v1.0/servicePrincipals/${principal}/appRoleAssignments" \
    --headers "Content-Type=application/json" \
    --body "{\"principalId\":\"${principal}\",\"resourceId\":\"${graph_sp_id}\",\"appRoleId\":\"${role_id}\"}" \
    --output none
  echo "  ${permission}: granted"
done
echo "Done. Tokens the bot already holds keep their old roles for up to about an hour; restart the web app to pick up the new ones sooner."
