#!/usr/bin/env bash
# Step 3 of infra/README.md: grants the bot's managed identity its Microsoft Graph application
# permissions. Run it after the main deployment, as someone who may grant admin consent
# (Privileged Role Administrator or Global Administrator). Granting an application permission to
# a service principal IS the admin consent; there is no consent prompt for a managed identity.
#
#   infra/grant-graph-permissions.sh --resource-group <rg> [--deployment main] [options]
#   infra/grant-graph-permissions.sh <principal-object-id> [options]
#
# Options: --policy all|conditional-access|none   Policy.Read.All (default), the narrower
#                                                  Policy.Read.ConditionalAccess, or neither
#          --no-policy                             the same as --policy none
#          --group-members                         also GroupMember.Read.All (HELPDESK_AGENTS_GROUP_ID)
#
# Always grants AuditLog.Read.All and Directory.Read.All. With --resource-group the principal is
# the deployment output MANAGED_IDENTITY_PRINCIPAL_ID (the identity's service principal object id,
# not its client id), and GroupMember.Read.All is added when the output HELPDESK_AGENTS_GROUP_ID
# is set. Permissions already granted are left as they are, so it is safe to rerun (after a new
# deployment, or when a grant failed because Entra had not yet replicated a new identity).
# Needs the Azure CLI, signed in (az login) to the bot's tenant. GRAPH_URL overrides
# https://graph.microsoft.com for national clouds.
set -euo pipefail

GRAPH_URL="${GRAPH_URL:-https://graph.microsoft.com}"
GRAPH_APP_ID="00000003-0000-0000-c000-000000000000"
BASE_PERMISSIONS=("AuditLog.Read.All" "Directory.Read.All")

# az rest against Microsoft Graph (--resource also covers national clouds).
graph() {
  az rest --resource "$GRAPH_URL" "$@"
}

usage() {
  sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'
  exit "${1:-2}"
}

principal=""
resource_group=""
deployment="main"
policy="all"
group_members="no"
while [ $# -gt 0 ]; do
  case "$1" in
    --policy) policy="${2:?--policy needs all, conditional-access or none}"; shift 2 ;;
    --no-policy) policy="none"; shift ;;
    --group-members) group_members="yes"; shift ;;
    --resource-group|-g) resource_group="${2:?--resource-group needs a value}"; shift 2 ;;
    --deployment|-n) deployment="${2:?--deployment needs a value}"; shift 2 ;;
    -h|--help) usage 0 ;;
    -*) echo "Unknown option: $1" >&2; usage ;;
    *) principal="$1"; shift ;;
  esac
done

case "$policy" in
  all) POLICY_PERMISSIONS=("Policy.Read.All") ;;
  conditional-access) POLICY_PERMISSIONS=("Policy.Read.ConditionalAccess") ;;
  none) POLICY_PERMISSIONS=() ;;
  *) echo "--policy must be all, conditional-access or none, not: $policy" >&2; usage ;;
esac

# A deployment output, read with the Azure CLI (empty when the output is empty).
deployment_output() {
  az deployment group show --resource-group "$resource_group" --name "$deployment" \
    --query "properties.outputs.$1.value" --output tsv
}

if [ -z "$principal" ] && [ -n "$resource_group" ]; then
  principal="$(deployment_output MANAGED_IDENTITY_PRINCIPAL_ID)"
fi
if ! [[ "$principal" =~ ^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$ ]]; then
  echo "Give the managed identity's principal (object) id, or --resource-group of the deployment." >&2
  usage
fi
if [ "$group_members" = "no" ] && [ -n "$resource_group" ]; then
  if [ -n "$(deployment_output HELPDESK_AGENTS_GROUP_ID)" ]; then
    echo "HELPDESK_AGENTS_GROUP_ID is set in the deployment: GroupMember.Read.All is needed too."
    group_members="yes"
  fi
fi
# ${a[@]+"${a[@]}"}: an empty array under `set -u` in the bash 3.2 that macOS ships.
PERMISSIONS=("${BASE_PERMISSIONS[@]}" ${POLICY_PERMISSIONS[@]+"${POLICY_PERMISSIONS[@]}"})
if [ "$group_members" = "yes" ]; then PERMISSIONS+=("GroupMember.Read.All"); fi

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
