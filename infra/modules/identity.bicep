// The user-assigned managed identity the bot runs as: it is the bot's Microsoft App ID
// (msaAppType UserAssignedMSI), reads Microsoft Graph, and reaches Storage through RBAC.

@description('Name of the user-assigned managed identity.')
param name string

@description('Azure region for the identity.')
param location string

@description('Tags applied to the identity.')
param tags object = {}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: name
  location: location
  tags: tags
}

@description('Resource id of the identity (for the web app and the Azure Bot).')
output id string = identity.id

@description('Client id of the identity: the bot\'s Microsoft App ID and AZURE_CLIENT_ID.')
output clientId string = identity.properties.clientId

@description('Object (principal) id of the identity\'s service principal: what RBAC and Graph app roles are granted to.')
output principalId string = identity.properties.principalId

@description('Tenant of the identity.')
output tenantId string = identity.properties.tenantId

@description('Name of the identity.')
output name string = identity.name
