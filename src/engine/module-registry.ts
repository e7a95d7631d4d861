import type { ModuleName } from '../playbook/types.js';
import { apimLbConfig } from './modules/apim-lb-config.js';
import { apimNginxInstall } from './modules/apim-nginx-install.js';
import { apimTlsCertificates } from './modules/apim-tls-certificates.js';
import { commandModule } from './modules/command.js';
import { copyModule, templateModule } from './modules/copy.js';
import { debugModule } from './modules/debug.js';
import { fileModule } from './modules/file.js';
import type { ModuleDefinition } from './modules/module.js';
import { nginxReload } from './modules/nginx-reload.js';
import { packageModule } from './modules/package.js';
import { serviceModule } from './modules/service.js';

export const MODULES: Record<ModuleName, ModuleDefinition> = {
  apim_nginx_install: apimNginxInstall,
  apim_tls_certificates: apimTlsCertificates,
  apim_lb_config: apimLbConfig,
  nginx_reload: nginxReload,
  package: packageModule,
  file: fileModule,
  copy: copyModule,
  template: templateModule,
  command: commandModule,
  shell: commandModule,
  service: serviceModule,
  debug: debugModule,
};
