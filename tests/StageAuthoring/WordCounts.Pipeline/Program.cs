using DeclFed.Data;
using DeclFed.Hosting;
using Microsoft.Extensions.DependencyInjection;

DataLayer.Register();
return await DeclFedHost.RunAsync(args, services => services.AddVocabularyPipeline());
