/** Files of an API-M node the tool edits, relative to its carbon home (`<API-M_HOME>`). */
export const NODE_FILES = {
  deploymentToml: 'repository/conf/deployment.toml',
  carbonXml: 'repository/conf/carbon.xml',
  catalinaXml: 'repository/conf/tomcat/catalina-server.xml',
  apiManagerXml: 'repository/conf/api-manager.xml',
  siteJson: (app: PortalApp26): string =>
    `repository/deployment/server/jaggeryapps/${app}/site/conf/site.json`,
  truststore: 'repository/resources/security/client-truststore.jks',
} as const;

/** The 2.6 Jaggery portals (the Store is the Developer Portal). */
export type PortalApp26 = 'store' | 'publisher' | 'admin';

/** The alias the load balancer's CA has in each node's truststore; the tool owns it. */
export const TRUSTSTORE_ALIAS = 'apim-provision-lb-ca';

/** WSO2's documented default truststore password (used, with a warning, when none is given). */
export const DEFAULT_TRUSTSTORE_PASSWORD = 'wso2carbon';
