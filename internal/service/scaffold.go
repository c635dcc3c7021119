package service

// scaffoldSteps maps the steps of create-from-website and create-demo.
func (s *Service) scaffoldSteps() map[string]stepFunc { return map[string]stepFunc{} }
