// The UserManager settings both peer pages use: the same provider, client,
// redirect URI and scope as Pixie's dev/config.json.
export const settings = {
  authority: 'http://127.0.0.1:9000',
  client_id: 'pixie-demo',
  redirect_uri: `${location.origin}/callback`,
  response_type: 'code',
  scope: 'openid profile email offline_access',
  loadUserInfo: true,
};
