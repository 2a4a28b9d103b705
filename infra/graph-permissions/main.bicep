// Step 3 of infra/README.md, the Bicep way: grants the bot's managed identity its Microsoft Graph
// application permissions with the Microsoft Graph Bicep extension (declared in ./bicepconfig.json).
// infra/grant-graph-permissions.sh does the same with the Azure CLI; use either.
//
//   az deployment group create -g <rg> -n graph-permissions -f infra/graph-permissions/main.bicep \
//     -p principalId=<MANAGED_IDENTITY_PRINCIPAL_ID> [policyPermission=...] [grantGroupMemberRead=true]
//
// Run it after the main deployment (infra/main.bicep) has created the identity, as someone who may
// grant admin consent: Privileged Role Administrator or Global Administrator. An app role
// assignment to Microsoft Graph's service principal IS the admin consent to that application
// permission; a managed identity has no consent prompt.
// Bicep restores the extension from mcr.microsoft.com when it builds this file, so it is kept apart
// from the main deployment, which needs no registry. `npm run check:infra` compiles it only when
// the extension is already in the local Bicep cache or BICEP_REGISTRY_RESTORE=1 allows a restore.

extension microsoftGraphV1

@description('Object (principal) id of the managed identity\'s service principal: the main deployment output MANAGED_IDENTITY_PRINCIPAL_ID (not its client id).')
param principalId string

@description('How the bot reads the Conditional Access policy behind a blocked sign-in: Policy.Read.All, the narrower Policy.Read.ConditionalAccess, or none (the bot then reports that detail as unavailable).')
@allowed([
  'Policy.Read.All'
  'Policy.Read.ConditionalAccess'
  'none'
])
param policyPermission string = 'Policy.Read.All'

@description('Also grant GroupMember.Read.All, which the bot needs when HELPDESK_AGENTS_GROUP_ID is set (main deployment output HELPDESK_AGENTS_GROUP_ID not empty).')
param grantGroupMemberRead bool = false

// Microsoft Graph's application id (the same in every tenant).
var graphAppId = '00000003-0000-0000-c000-000000000000'

// Sign-in logs need AuditLog.Read.All together with Directory.Read.All; profiles, licences and
// devices are covered by Directory.Read.All.
var permissions = concat(
  [
    'AuditLog.Read.All'
    'Directory.Read.All'
  ],
  policyPermission == 'none' ? [] : [policyPermission],
  grantGroupMemberRead ? ['GroupMember.Read.All'] : []
)

resource graph 'Microsoft.Graph/servicePrincipals@v1.0' existing = {
  appId: graphAppId
}

resource appRoleAssignments 'Microsoft.Graph/appRoleAssignedTo@v1.0' = [
  for permission in permissions: {
    appRoleId: filter(graph.appRoles, role => role.value == permission && contains(role.allowedMemberTypes, 'Application'))[0].id
    principalId: principalId
    resourceId: graph.id
  }
]

@description('The Microsoft Graph application permissions granted to the identity.')
output grantedPermissions array = permissions
