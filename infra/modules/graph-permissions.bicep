// Microsoft Graph application permissions for the bot's managed identity, declared with the
// Microsoft Graph Bicep extension (see ../bicepconfig.json). An app role assignment to the
// Microsoft Graph service principal is what admin consent to an application permission
// creates, so deploying this module IS the admin consent: the deploying user needs a role
// that may grant it (Privileged Role Administrator or Global Administrator, i.e. the
// AppRoleAssignment.ReadWrite.All and Application.Read.All permissions).
// Without such a role, set grantGraphPermissions=false and have an admin run
// ../grant-graph-permissions.sh instead.

extension microsoftGraphV1

@description('Object (principal) id of the managed identity\'s service principal that receives the permissions.')
param principalId string

@description('Also grant Policy.Read.All, so the diagnosis can name the Conditional Access policy that blocked a sign-in.')
param grantPolicyRead bool = true

// Microsoft Graph's application id (the same in every tenant).
var graphAppId = '00000003-0000-0000-c000-000000000000'

// Sign-in logs need AuditLog.Read.All and Directory.Read.All; profiles, licences and devices
// are covered by Directory.Read.All.
var permissions = concat(['AuditLog.Read.All', 'Directory.Read.All'], grantPolicyRead ? ['Policy.Read.All'] : [])

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
