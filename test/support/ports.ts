export { freePort, portAnswers } from '#config';
