export { TenancyModule } from './tenancy.module';
export { AppRegistry } from './app-registry';
